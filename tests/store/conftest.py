"""Store fixtures: a store URL for a real SQLite file and for a real PostgreSQL server (a fresh
schema per test), and evaluation documents of one product's releases, scanned from trees."""

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from assay.store.url import store_url as parse_store_url
from tests.factories.metadata import DEBIAN_OS_RELEASE, write_tree

POSTGRES_ENV = "ASSAY_TEST_POSTGRES_URL"
PRODUCT = "edge-router"
RELEASES = ("1.0", "1.1", "2.0")
OPENSSL = {"1.0": "1.1.1n-0+deb11u1", "1.1": "3.0.11-1~deb12u2", "2.0": "3.0.15-1~deb12u1"}
EXTRA_PACKAGES = {"1.0": 0, "1.1": 1, "2.0": 3}
TELNET_SHELL = b"::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"


def postgres_base_url() -> str:
    """The PostgreSQL server the tests use; skipped only outside CI when none is configured."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {POSTGRES_ENV} is not: the PostgreSQL store tests must run")
    pytest.skip(f"{POSTGRES_ENV} is not set (scripts/start-postgres.sh prints one)")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the test PostgreSQL server, as a store URL."""
    base = parse_store_url(postgres_base_url())
    schema = f"assay_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on a real SQLite file, then on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'evaluations.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def dpkg_status(release: str) -> bytes:
    """A dpkg database whose openssl and number of packages change from release to release."""
    entries = [("openssl", OPENSSL[release]), ("zlib1g", "1:1.2.13.dfsg-1")]
    entries += [(f"vendor-tool{n}", f"{n}.0-1") for n in range(EXTRA_PACKAGES[release])]
    stanzas = [
        f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n"
        f"Description: {name}\n"
        for name, version in entries
    ]
    return "\n".join(stanzas).encode()


def release_tree(root: Path, release: str) -> Path:
    """A small Debian root file system of one release; 1.0 still starts a telnet root shell."""
    files = {"etc/os-release": DEBIAN_OS_RELEASE, "var/lib/dpkg/status": dpkg_status(release)}
    if release == "1.0":
        files["etc/inittab"] = TELNET_SHELL
    return write_tree(root / f"router-{release}", files)


def scan_release(root: Path, release: str) -> dict[str, Any]:
    """The evaluation document of one release of the product."""
    options = ScanOptions(today=date(2026, 1, 15), vendor="Acme", product=PRODUCT, version=release)
    return evaluation_json(Evaluator(options).evaluate(release_tree(root, release)))


@pytest.fixture(scope="session")
def release_documents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The documents of releases 1.0, 1.1 and 2.0, scanned in that order."""
    root = tmp_path_factory.mktemp("releases")
    documents = [scan_release(root, release) for release in RELEASES]
    # scan times have one-second resolution and these scans take less: give each its own minute
    for minute, document in enumerate(documents):
        document["started"] = f"2026-01-15T10:{minute:02d}:00Z"
        document["finished"] = f"2026-01-15T10:{minute:02d}:30Z"
    return documents
