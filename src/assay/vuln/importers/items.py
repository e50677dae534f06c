"""What importers produce: parts of CVE records, OSV records, KEV entries, EPSS scores and the
provenance of a shipped snapshot; and the description of a JSON document format."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assay.vuln.source import CveRecord, EpssScore, KevEntry, OsvRecord


class PartKind(StrEnum):
    """Where a part of a CVE record came from; parts of different kinds are merged."""

    RECORD = "record"  # an assay record (already merged from several sources)
    NVD = "nvd"  # NVD CVE JSON 2.0 or 1.1
    OVERRIDE = "override"  # anchore/nvd-data-overrides: CPE configurations only
    CVE5 = "cve5"  # CVE JSON 5 (cvelistV5, vulnrichment)
    OSV = "osv"  # an OSV record whose id is a CVE id


@dataclass(frozen=True, slots=True)
class CvePart:
    """One source's view of a CVE, in the normalised record shape."""

    kind: PartKind
    record: CveRecord
    modified: str | None

    @property
    def cve_id(self) -> str:
        """The CVE id of the record."""
        return str(self.record["id"])


@dataclass(frozen=True, slots=True)
class OsvEntry:
    """An OSV record as published, with its normalised `modified` time."""

    record: OsvRecord
    modified: str | None


@dataclass(frozen=True, slots=True)
class UpstreamSource:
    """A repository a shipped snapshot was extracted from (manifest.json `sources`)."""

    name: str
    repository: str
    commit: str
    commit_date: str | None


@dataclass(frozen=True, slots=True)
class Provenance:
    """An assay-vulndata manifest: the upstream sources, and the snapshot date of each data
    file it describes (file name → normalised timestamp)."""

    sources: tuple[UpstreamSource, ...]
    file_dates: tuple[tuple[str, str], ...]


FeedItem = CvePart | OsvEntry | KevEntry | EpssScore | Provenance
Document = dict[str, Any]


def no_date(document: Document) -> str | None:
    """For formats whose documents carry no snapshot date of their own."""
    return None


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    """A JSON (or YAML) document format: how to recognise it by content and read it."""

    name: str
    recognise: Callable[[Document], bool]
    read: Callable[[Document], Iterator[FeedItem]]
    feed_date: Callable[[Document], str | None] = field(default=no_date)
