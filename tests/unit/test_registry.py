"""Every registered extractor is documented in the README and exercised by a format test."""

import re
from pathlib import Path

from assay.plugins import BUILTIN_EXTRACTORS, extractors

ROOT = Path(__file__).parents[2]


def test_names_are_unique_and_described() -> None:
    names = [e.name for e in extractors()]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) for name in names)
    assert all(e.description for e in extractors())


def test_every_extractor_is_in_the_readme_formats_table() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\|[^\n]*?\| `([a-z0-9-]+)` \|", readme, flags=re.MULTILINE))
    assert {e.name for e in extractors()} <= documented


def test_every_extractor_has_a_format_test() -> None:
    tests = "\n".join(p.read_text() for p in (ROOT / "tests" / "formats").glob("test_*.py"))
    untested = [
        cls.__name__
        for cls in BUILTIN_EXTRACTORS
        if cls.__name__ not in tests and f'"{cls.name}"' not in tests
    ]
    assert not untested, f"extractors without a format test: {untested}"
