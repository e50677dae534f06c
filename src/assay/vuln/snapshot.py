"""The vulnerability snapshot shipped with assay (`assay/data/vulndata/`, see its README) and the
default database: built from the snapshot on first use, once per snapshot and schema version."""

import hashlib
import logging
import os
import tempfile
import time
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

from assay.vuln.db import VulnDatabase
from assay.vuln.feeds import file_sha256
from assay.vuln.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

ENV_VAR = "ASSAY_VULN_DB"
SHIPPED_FILES = (
    "manifest.json",
    "nvd-subset.jsonl.gz",
    "nvd-subset-linux-kernel.jsonl.gz",
    "known_exploited_vulnerabilities.json.gz",
    "osv-subset.jsonl.gz",
    "epss-subset.csv.gz",
)


def shipped_dir() -> Path:
    """The folder of the shipped snapshot files inside the installed package."""
    return Path(str(resources.files("assay.data").joinpath("vulndata")))


@cache
def snapshot_id(folder: Path | None = None) -> str:
    """An id of the shipped files' content and of the database schema (16 hex digits)."""
    folder = folder or shipped_dir()
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    for name in SHIPPED_FILES:
        digest.update(f"{name} {file_sha256(folder / name)}\n".encode())
    return digest.hexdigest()[:16]


def default_database_path() -> Path:
    """`$ASSAY_VULN_DB`, else `vulndb-<snapshot id>.sqlite` in the user's data folder."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("assay")) / f"vulndb-{snapshot_id()}.sqlite"


def build_snapshot(target: Path, folder: Path | None = None) -> float:
    """Build the database of the shipped files at `target`, atomically: into a temporary file
    beside it, then hard-linked into place, so that a reader never sees half a database and,
    when two processes race, the first one's database is kept. Returns the seconds it took."""
    folder = folder or shipped_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(0o644)
    try:
        with VulnDatabase.open(temporary, scratch=True) as database:
            database.import_paths([folder / n for n in SHIPPED_FILES], relative_to=folder)
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            log.debug("%s was built by another process first", target)
        except OSError:
            os.replace(temporary, target)  # a file system without hard links
    finally:
        temporary.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    log.info("built %s from the shipped snapshot in %.1f s", target, seconds)
    return seconds


def default_database() -> VulnDatabase:
    """The database at `default_database_path()`, built from the shipped snapshot if missing."""
    path = default_database_path()
    if not path.exists():
        build_snapshot(path)
    return VulnDatabase.open(path)
