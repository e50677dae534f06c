"""The unsafe-function census: calls to unsafe and safe C library functions, per family, per
binary and per release, on every architecture capstone disassembles."""

from assay.checks.census.binary import BinaryScan, scan_binary
from assay.checks.census.check import UnsafeFunctionCensusCheck
from assay.checks.census.table import FunctionTable, default_table, load_table

__all__ = [
    "BinaryScan",
    "FunctionTable",
    "UnsafeFunctionCensusCheck",
    "default_table",
    "load_table",
    "scan_binary",
]
