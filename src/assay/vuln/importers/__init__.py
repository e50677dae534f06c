"""Importers: each feed format read into normalised CVE records, OSV records, KEV entries and
EPSS scores. `DOCUMENT_FORMATS` is tried in order on every JSON or YAML document."""

from assay.vuln.importers.cve5 import CVE5
from assay.vuln.importers.items import Document, DocumentFormat
from assay.vuln.importers.kev import KEV
from assay.vuln.importers.manifest import MANIFEST
from assay.vuln.importers.nvd2 import NVD2, OVERRIDES
from assay.vuln.importers.nvd11 import NVD11
from assay.vuln.importers.osv import OSV
from assay.vuln.importers.records import RECORDS

DOCUMENT_FORMATS: tuple[DocumentFormat, ...] = (
    MANIFEST,
    KEV,
    NVD11,
    OVERRIDES,
    NVD2,
    CVE5,
    OSV,
    RECORDS,
)


def document_format(document: Document) -> DocumentFormat | None:
    """The format of a parsed JSON/YAML document, recognised by its content."""
    return next((fmt for fmt in DOCUMENT_FORMATS if fmt.recognise(document)), None)
