"""The SQLite schema of the vulnerability database, and opening a connection to it."""

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1
BUSY_SECONDS = 60.0  # how long a writer waits for another import to finish

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cve (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    published TEXT,
    last_modified TEXT,
    sources TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cve_part (
    cve_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    modified TEXT,
    seq INTEGER NOT NULL,
    json BLOB NOT NULL,
    PRIMARY KEY (cve_id, kind)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cpe_index (
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    cve_id TEXT NOT NULL,
    PRIMARY KEY (vendor, product, cve_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cpe_index_cve ON cpe_index (cve_id);
CREATE TABLE IF NOT EXISTS product_index (
    product TEXT NOT NULL,
    cve_id TEXT NOT NULL,
    PRIMARY KEY (product, cve_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS product_index_cve ON product_index (cve_id);
CREATE TABLE IF NOT EXISTS osv (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    aliases TEXT NOT NULL,
    modified TEXT,
    withdrawn INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS osv_package (
    ecosystem TEXT NOT NULL,
    ecosystem_base TEXT NOT NULL,
    name TEXT NOT NULL,
    osv_id TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, osv_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS osv_package_base ON osv_package (ecosystem_base, name);
CREATE INDEX IF NOT EXISTS osv_package_osv ON osv_package (osv_id);
CREATE TABLE IF NOT EXISTS osv_alias (
    alias TEXT NOT NULL,
    osv_id TEXT NOT NULL,
    PRIMARY KEY (alias, osv_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS osv_alias_osv ON osv_alias (osv_id);
CREATE TABLE IF NOT EXISTS kev (
    cve TEXT PRIMARY KEY,
    date_added TEXT NOT NULL,
    due_date TEXT,
    ransomware TEXT
);
CREATE TABLE IF NOT EXISTS epss (
    cve TEXT PRIMARY KEY,
    score REAL NOT NULL,
    percentile REAL NOT NULL,
    date TEXT
);
CREATE TABLE IF NOT EXISTS source (
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    snapshot_date TEXT,
    imported_at TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    PRIMARY KEY (name, file)
);
CREATE TABLE IF NOT EXISTS upstream (
    name TEXT PRIMARY KEY,
    repository TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    commit_date TEXT
);
CREATE TABLE IF NOT EXISTS file_date (file_name TEXT PRIMARY KEY, snapshot_date TEXT NOT NULL);
"""


class DatabaseError(Exception):
    """A database that cannot be opened or used (missing, not SQLite, another schema)."""


def connect(path: Path, *, readonly: bool = False, scratch: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), the schema created if the
    database is new and writable, and checked to be this version. A `scratch` database is one
    being built in a temporary file, thrown away if the build fails: no journal, no syncing."""
    if readonly and not path.is_file():
        raise DatabaseError(f"{path}: no such vulnerability database")
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_SECONDS)
        conn.execute("PRAGMA foreign_keys = OFF")
        if scratch:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
        elif not readonly:
            conn.execute("PRAGMA journal_mode = DELETE")
        _prepare(conn, path, readonly)
    except sqlite3.DatabaseError as err:
        raise DatabaseError(f"{path}: not a vulnerability database ({err})") from err
    return conn


def _prepare(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables and not readonly:
        conn.executescript(TABLES)
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        return
    if "meta" not in tables:
        conn.close()
        raise DatabaseError(f"{path}: not an assay vulnerability database")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != str(SCHEMA_VERSION):
        conn.close()
        found = row[0] if row else "none"
        raise DatabaseError(
            f"{path}: vulnerability database schema {found}, this assay reads {SCHEMA_VERSION}: "
            "delete it and run `assay db update` (or let assay rebuild the default one)"
        )
