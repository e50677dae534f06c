"""The contract between the vulnerability database and the matcher: records looked up by name.

A record is one CVE as a dict in the normalised record schema of the shipped snapshot (see
`assay/data/vulndata/README.md`): `id`, `published`, `last_modified`, `description`, `cwes`,
`cvss_v3`/`cvss_v4`/`cvss_v2` (`{version, score, severity, vector}`), `configurations` (NVD 2.0
shape), `cve5_affected`, `osv_affected`, `kernel_fixed_in`, `products`, `sources`. Every importer
writes this shape, whatever the feed format it read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

CveRecord = dict[str, Any]
OsvRecord = dict[str, Any]


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CVE's entry in the CISA Known Exploited Vulnerabilities catalog."""

    cve: str
    date_added: str
    due_date: str | None
    ransomware: str | None


@dataclass(frozen=True, slots=True)
class EpssScore:
    """FIRST EPSS probability of exploitation in the next 30 days, and its percentile."""

    cve: str
    score: float
    percentile: float
    date: str | None = None


class VulnSource(Protocol):
    """Where the matcher reads vulnerability records from (the SQLite database, or memory)."""

    def cves_for_cpe(self, vendor: str, product: str) -> Iterable[CveRecord]:
        """Records with a vulnerable CPE match (or CVE 5 CPE) naming `vendor:product`."""
        ...

    def cves_for_product(self, product_key: str) -> Iterable[CveRecord]:
        """Records whose `products` list names assay's product key (e.g. `openssl`)."""
        ...

    def osv_for_package(self, ecosystem: str, name: str) -> Iterable[OsvRecord]:
        """OSV records with an `affected` entry for this ecosystem package (PyPI, npm, Go, …)."""
        ...

    def kev(self, cve: str) -> KevEntry | None:
        """The KEV entry of a CVE, if it is in the catalog."""
        ...

    def epss(self, cve: str) -> EpssScore | None:
        """The EPSS score of a CVE, if known."""
        ...
