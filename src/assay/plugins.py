"""The registry of built-in plugins, in the order they are tried."""

from assay.extract.base import Extractor
from assay.extract.formats.gzip import GzipExtractor
from assay.extract.formats.tar import TarExtractor

BUILTIN_EXTRACTORS: tuple[type[Extractor], ...] = (
    GzipExtractor,
    TarExtractor,
)


def extractors() -> tuple[Extractor, ...]:
    """One instance of every registered extractor, in registry order."""
    return tuple(cls() for cls in BUILTIN_EXTRACTORS)
