"""Usage errors: one line on stderr and exit code 2, never a traceback."""

import os
from pathlib import Path

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class UsageError(Exception):
    """Bad user input; the CLI prints the message and exits with EXIT_USAGE."""


def readable_input(path: Path) -> Path:
    """The input path, checked to exist and be readable."""
    if not os.path.lexists(path):
        raise UsageError(f"no such file or directory: {path}")
    if path.is_dir():
        try:
            os.listdir(path)
        except OSError as err:
            raise UsageError(f"cannot read directory {path}: {err.strerror}") from err
        return path
    if not path.is_file():
        raise UsageError(f"not a regular file or directory: {path}")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from err
    return path


def writable_dir(path: Path, must_be_empty: bool = False) -> Path:
    """The output directory, created if needed and checked to be writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create output directory {path}: {err.strerror}") from err
    if not path.is_dir():
        raise UsageError(f"output path is not a directory: {path}")
    if must_be_empty and any(path.iterdir()):
        raise UsageError(f"output directory is not empty: {path}")
    probe = path / ".assay-write-probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise UsageError(f"output directory is not writable: {path}: {err.strerror}") from err
    return path
