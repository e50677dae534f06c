"""Scanned documents shared by the policy tests (each scan runs once per worker)."""

from pathlib import Path
from typing import Any

import pytest

from tests.policy.support import clean_tree, risky_tree, scanned


@pytest.fixture(scope="session")
def risky(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scanned(risky_tree(tmp_path_factory.mktemp("risky")))


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scanned(clean_tree(tmp_path_factory.mktemp("clean")))


@pytest.fixture(scope="session")
def risky_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return risky_tree(tmp_path_factory.mktemp("risky-root"))
