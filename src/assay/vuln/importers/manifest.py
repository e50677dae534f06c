"""The `manifest.json` of an assay vulndata set (schema `assay-vulndata/1`): where its files came
from, and so how old the CVE records in them are."""

from collections.abc import Iterator

from assay.vuln.importers.common import newest, timestamp
from assay.vuln.importers.items import (
    Document,
    DocumentFormat,
    FeedItem,
    Provenance,
    UpstreamSource,
)

SOURCE = "assay-vulndata-manifest"
SCHEMA_PREFIX = "assay-vulndata/"
# Manifest sources that only feed the KEV, EPSS and OSV files, not the CVE records.
NOT_RECORD_SOURCES = frozenset({"kev", "epss", "osv_raw"})
FILE_PREFIX_SOURCES = {"osv-subset": frozenset({"osv_raw"})}


def recognise(document: Document) -> bool:
    """`schema: assay-vulndata/…` with `sources` and `files`."""
    return (
        str(document.get("schema", "")).startswith(SCHEMA_PREFIX)
        and isinstance(document.get("sources"), dict)
        and isinstance(document.get("files"), dict)
    )


def _sources(document: Document) -> tuple[UpstreamSource, ...]:
    found = []
    for name, entry in sorted(document["sources"].items()):
        if isinstance(entry, dict):
            found.append(
                UpstreamSource(
                    name=name,
                    repository=str(entry.get("repository", "")),
                    commit=str(entry.get("commit", "")),
                    commit_date=timestamp(entry.get("commit_date")),
                )
            )
    return tuple(found)


def _file_date(name: str, sources: tuple[UpstreamSource, ...]) -> str | None:
    """The newest commit date of the sources a file's records were built from."""
    chosen = next((s for p, s in FILE_PREFIX_SOURCES.items() if name.startswith(p)), None)
    if chosen is None and not name.startswith("nvd-subset"):
        return None
    relevant = [
        s.commit_date
        for s in sources
        if (s.name in chosen if chosen else s.name not in NOT_RECORD_SOURCES)
    ]
    return newest(relevant)


def read(document: Document) -> Iterator[FeedItem]:
    """The provenance: upstream sources, and the snapshot date of its record files."""
    sources = _sources(document)
    dates = ((name, _file_date(name, sources)) for name in sorted(document["files"]))
    yield Provenance(sources, tuple((name, date) for name, date in dates if date))


MANIFEST = DocumentFormat(SOURCE, recognise, read)
