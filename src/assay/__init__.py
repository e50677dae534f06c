"""assay: independent security evaluation of vendor software releases."""

__version__ = "0.1.0"
