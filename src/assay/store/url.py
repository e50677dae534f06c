"""Where the store lives: a SQLite file in the user's data directory unless a URL says otherwise
(`sqlite:///path`, `postgresql://user:pass@host/db`, or a plain file path for SQLite)."""

from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

STORE_FILE = "evaluations.sqlite"
POSTGRES_SCHEMES = ("postgresql", "postgres")
SUPPORTED = "sqlite:///PATH, postgresql://USER:PASSWORD@HOST/DATABASE or a file path"


class StoreUrlError(ValueError):
    """A store URL that names no database assay can use."""


def default_store_path() -> Path:
    """The default store: `evaluations.sqlite` in the platform's user data folder for assay."""
    return Path(user_data_dir("assay")) / STORE_FILE


def default_store_url() -> str:
    """The default store as a SQLAlchemy URL."""
    return f"sqlite:///{default_store_path()}"


def store_url(text: str) -> URL:
    """The SQLAlchemy URL for `text`: PostgreSQL goes through psycopg 3, SQLite through the
    standard library; a text without a scheme is a SQLite file path."""
    if "://" not in text:
        if not text.strip():
            raise StoreUrlError(f"empty store URL (use {SUPPORTED})")
        return make_url(f"sqlite:///{Path(text).expanduser().resolve()}")
    try:
        url = make_url(text)
    except ArgumentError as err:
        raise StoreUrlError(f"not a database URL: {text!r} (use {SUPPORTED})") from err
    backend, _, driver = url.drivername.partition("+")
    if backend in POSTGRES_SCHEMES:
        if driver not in ("", "psycopg"):
            raise StoreUrlError(f"unsupported PostgreSQL driver {driver!r} (assay uses psycopg)")
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise StoreUrlError(f"unsupported SQLite driver {driver!r}")
        if not url.database or url.database == ":memory:":
            raise StoreUrlError("a SQLite store needs a file: sqlite:///PATH")
        return url
    raise StoreUrlError(f"unsupported database {backend!r} in store URL (use {SUPPORTED})")


def display_url(url: URL) -> str:
    """The URL with its password hidden, for messages."""
    return url.render_as_string(hide_password=True)
