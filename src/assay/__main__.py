"""Entry point for `python -m assay`."""

from assay.cli.main import run

run()
