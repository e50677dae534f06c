"""RpmCataloger: RPM packages from the rpm database. rpmdb.sqlite (rpm ≥ 4.16) is read with
sqlite3, read-only, and its Packages table's header blobs parsed by `rpmheader`; a Berkeley DB
`Packages` file (older rpm) is read by rpm's own read-only bdb_ro backend (`rpmdb --exportdb`,
Debian package `rpm`) on a copy, since no maintained Python library reads Berkeley DB hash files
without the Oracle library. SUSE's ndb `Packages.db` is recorded as not readable."""

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata import rpmheader as rh
from assay.catalog.metadata.common import (
    MIB,
    Distro,
    Found,
    Owned,
    Package,
    Tree,
    distro_of,
    find,
    package_observations,
    package_url,
    present,
)
from assay.extract.limits import Budget, Deadline, LimitExceeded, Limits
from assay.extract.tools import ToolMissing, run_tool
from assay.inventory.index import FileIndex
from assay.model.problem import ProblemKind, ProblemLevel

DB_DIRS = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
SQLITE = "rpmdb.sqlite"
BDB = "Packages"
NDB = "Packages.db"
MAX_PACKAGES = 100_000
MAX_BLOB = 64 * MIB
MAX_EXPORT = 1024 * MIB
EXPORT_SECONDS = 120.0
PSEUDO_PACKAGES = frozenset({"gpg-pubkey"})


class RpmdbError(Exception):
    """The database could not be read; the message says why."""


def sqlite_blobs(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(hnum, header blob) of each row of an rpmdb.sqlite's Packages table, read-only; None for a
    blob above the size bound. A write-ahead log beside the file is read from a copy."""
    wal = Path(f"{path}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        with tempfile.TemporaryDirectory(prefix="assay-rpmdb-") as scratch:
            copy = Path(scratch) / SQLITE
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(f"{copy}-wal"))
            yield from _rows(f"{copy.resolve().as_uri()}?mode=ro")
        return
    yield from _rows(f"{path.resolve().as_uri()}?mode=ro&immutable=1")


def _rows(uri: str) -> Iterator[tuple[int, bytes | None]]:
    query = "SELECT hnum, CASE WHEN length(blob) <= ? THEN blob END FROM Packages LIMIT ?"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as err:
        raise RpmdbError(f"sqlite rpmdb not readable: {err}") from err
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        for hnum, blob in connection.execute(query, (MAX_BLOB, MAX_PACKAGES)):
            yield int(hnum), bytes(blob) if blob is not None else None
    except sqlite3.Error as err:
        raise RpmdbError(f"sqlite rpmdb not readable: {err}") from err
    finally:
        connection.close()


def bdb_blobs(path: Path) -> Iterator[tuple[int, bytes | None]]:
    """The header blobs of a Berkeley DB Packages file, exported by rpm's bdb_ro backend."""
    with tempfile.TemporaryDirectory(prefix="assay-rpmdb-") as scratch:
        home = Path(scratch)
        shutil.copyfile(path, home / BDB)
        export = home / "export"
        argv = ["rpmdb", "--dbpath", str(home), "--define", "_db_backend bdb_ro", "--exportdb"]
        budget = Budget(Limits(max_total_bytes=MAX_EXPORT), 1)
        try:
            result = run_tool(argv, deadline=Deadline(EXPORT_SECONDS), budget=budget, stdout=export)
        except ToolMissing as err:
            raise RpmdbError(f"Berkeley DB rpmdb not readable: {err}") from err
        except LimitExceeded as err:
            raise RpmdbError(f"Berkeley DB rpmdb not readable: {err.message}") from err
        data = export.read_bytes()
        try:
            yield from enumerate(rh.exported_headers(data), 1)
        except (rh.HeaderError, IndexError) as err:
            raise RpmdbError(f"Berkeley DB rpmdb export is malformed: {err}") from err
        # rpmdb exits 0 even when it cannot read the database; its error lines say so.
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        if errors or result.returncode != 0:
            detail = errors[0] if errors else f"exit status {result.returncode}"
            raise RpmdbError(f"Berkeley DB rpmdb not readable: rpmdb: {detail}")


class RpmCataloger(Cataloger):
    """Red Hat, Fedora, SUSE and other RPM-based packages, and which package owns which file."""

    name = "rpm"
    description = "RPM packages in rpmdb.sqlite or Berkeley DB Packages, with their files"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        observations: list[Observation] = []
        for database in find(index, *(f"{d}/{n}" for d in DB_DIRS for n in (SQLITE, BDB, NDB))):
            observations.extend(self._database(index, tree, database, ctx))
        return observations

    def _database(
        self, index: FileIndex, tree: Tree, database: Found, ctx: CatalogContext
    ) -> list[Observation]:
        location = database.artifact.location
        path = index.path_of(database.artifact)
        if database.artifact.path.endswith(NDB):
            message = "ndb rpmdb (Packages.db) not readable"
            ctx.problem(ProblemKind.UNREADABLE, message, location, ProblemLevel.ERROR)
            return []
        if path is None:
            return []
        reader = sqlite_blobs if database.artifact.path.endswith(SQLITE) else bdb_blobs
        distro = distro_of(index, tree, database)
        observations: list[Observation] = []
        try:
            for hnum, blob in reader(path):
                observations.extend(self._header(tree, database, hnum, blob, distro, ctx))
        except RpmdbError as err:
            ctx.problem(ProblemKind.UNREADABLE, str(err), location, ProblemLevel.ERROR)
        return observations

    def _header(
        self,
        tree: Tree,
        database: Found,
        hnum: int,
        blob: bytes | None,
        distro: Distro | None,
        ctx: CatalogContext,
    ) -> list[Observation]:
        location = database.artifact.location
        if blob is None:
            ctx.problem(ProblemKind.LIMIT_BYTES, f"header {hnum} is larger than 64 MiB", location)
            return []
        try:
            header = rh.parse_header(blob)
            package = self._package(header, database, distro)
            files = header.files() if package else []
        except rh.HeaderError as err:
            ctx.problem(ProblemKind.CORRUPT, f"header {hnum}: {err}", location)
            return []
        if package is None:
            return []
        record = f"{package.record}: file"
        owned = [
            Owned(a, f"{record} {a.path[len(database.root) :]}")
            for a in tree.owned(database, files)
        ]
        return package_observations(package, self.name, database.artifact, owned)

    def _package(
        self, header: rh.RpmHeader, database: Found, distro: Distro | None
    ) -> Package | None:
        name = header.string(rh.TAG_NAME)
        version, release = header.string(rh.TAG_VERSION), header.string(rh.TAG_RELEASE)
        if not name or not version:
            raise rh.HeaderError("no NAME or VERSION tag")
        if name in PSEUDO_PACKAGES:
            return None
        epoch = next(iter(header.integers(rh.TAG_EPOCH)), None)
        arch = header.string(rh.TAG_ARCH)
        full = f"{version}-{release}" if release else version
        evr = f"{epoch}:{full}" if epoch is not None else full
        qualifiers = {
            "arch": arch,
            "epoch": str(epoch) if epoch is not None else None,
            "upstream": header.string(rh.TAG_SOURCERPM),
            "distro": distro.qualifier if distro else None,
        }
        purl = package_url(
            kind="rpm",
            namespace=distro.id if distro and distro.id else None,
            name=name,
            version=full,
            **qualifiers,
        )
        licence = header.string(rh.TAG_LICENSE)
        nevra = f"{name}-{evr}.{arch}" if arch else f"{name}-{evr}"
        return Package(
            name=name,
            version=evr,
            ecosystem="rpm",
            purl=purl,
            record=f"{database.artifact.path.lstrip('/')}: {nevra}",
            sources=present(_source_name(header.string(rh.TAG_SOURCERPM))),
            supplier=header.string(rh.TAG_VENDOR),
            licenses=(licence,) if licence else (),
        )


def _source_name(source_rpm: str | None) -> str | None:
    """`openssl` from `openssl-3.0.7-27.el9.src.rpm`."""
    if not source_rpm:
        return None
    stem = source_rpm.removesuffix(".rpm").rsplit(".", 1)[0]
    parts = stem.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else None
