"""Policy profiles: reading and checking a profile file, the shipped profiles, and choosing one
by id or path."""

import re
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from assay.network.errors import NetworkInputError
from assay.network.model import Profile, Rule, Source, VendorList
from assay.network.profile_fields import Fields
from assay.network.profile_rules import parse_rule

PROFILE_FIELDS = ("id", "title", "jurisdiction", "description", "sources", "vendor_lists", "rules")
SOURCE_FIELDS = ("title", "publisher", "published", "url")
VENDOR_LIST_FIELDS = ("vendors", "source")
SHIPPED_FOLDER = "network-profiles"
MAX_PROFILE_BYTES = 2_000_000
_PROFILE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported with its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _sources(top: Fields, origin: str) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for key, value in top.mapping("sources").items():
        fields = top.sub(value, f"{origin}: source '{key}'")
        fields.refuse_unknown(SOURCE_FIELDS)
        published = fields.day("published")
        if published is None:
            raise fields.error("published", "required")
        sources[key] = Source(
            id=key,
            title=fields.text("title"),
            publisher=fields.text("publisher"),
            published=published,
            url=fields.url("url"),
        )
    if not sources:
        raise top.error("sources", "a profile cites at least one source")
    return sources


def _vendor_lists(top: Fields, origin: str, sources: dict[str, Source]) -> dict[str, VendorList]:
    lists: dict[str, VendorList] = {}
    for key, value in top.mapping("vendor_lists").items():
        fields = top.sub(value, f"{origin}: vendor list '{key}'")
        fields.refuse_unknown(VENDOR_LIST_FIELDS)
        vendors = fields.names("vendors")
        if not vendors:
            raise fields.error("vendors", "required: at least one vendor name")
        source = fields.text("source")
        if source not in sources:
            raise fields.error("source", f"unknown source {source!r}")
        lists[key] = VendorList(name=key, vendors=vendors, source=source)
    return lists


def _rules(
    top: Fields,
    origin: str,
    sources: dict[str, Source],
    vendor_lists: dict[str, VendorList],
) -> tuple[Rule, ...]:
    entries = top.data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise top.error("rules", "a profile states at least one rule (a list of mappings)")
    rules: dict[str, Rule] = {}
    for number, entry in enumerate(entries, start=1):
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        name = f"rule '{raw_id}'" if isinstance(raw_id, str) and raw_id else f"rule #{number}"
        rule = parse_rule(top.sub(entry, f"{origin}: {name}"), sources, vendor_lists)
        if rule.id in rules:
            raise NetworkInputError(f"{origin}: {name}: field 'id': duplicate rule id")
        rules[rule.id] = rule
    return tuple(rules.values())


def _check_citations(top: Fields, profile: Profile) -> None:
    cited = {rule.source for rule in profile.rules}
    cited |= {listed.source for listed in profile.vendor_lists.values()}
    for key in profile.sources:
        if key not in cited:
            raise top.error(f"sources.{key}", "cited by no rule or vendor list")


def parse_profile(data: object, origin: str) -> Profile:
    """The Profile of a parsed profile document; NetworkInputError (one line) when it is bad."""
    if not isinstance(data, dict):
        raise NetworkInputError(f"{origin}: a profile is a mapping (id, title, sources, rules…)")
    top = Fields({str(key): value for key, value in data.items()}, origin)
    top.refuse_unknown(PROFILE_FIELDS)
    profile_id = top.text("id")
    if not _PROFILE_ID.fullmatch(profile_id):
        raise top.error("id", f"use lower-case letters, digits, '.', '-', '_': {profile_id!r}")
    sources = _sources(top, origin)
    vendor_lists = _vendor_lists(top, origin, sources)
    profile = Profile(
        id=profile_id,
        title=top.text("title"),
        jurisdiction=top.text("jurisdiction"),
        description=top.text("description"),
        sources=sources,
        vendor_lists=vendor_lists,
        rules=_rules(top, origin, sources, vendor_lists),
        origin=origin,
    )
    _check_citations(top, profile)
    return profile


def parse_profile_text(text: str, origin: str) -> Profile:
    """The Profile of a profile file's YAML text."""
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise NetworkInputError(f"{origin}: not valid YAML{where}") from None
    return parse_profile(data, origin)


def load_profile(path: Path) -> Profile:
    """Read and check a profile file."""
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise NetworkInputError(f"{path}: too large for a profile (over 2 MB)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise NetworkInputError(f"{path}: cannot read: {reason or err}") from None
    return parse_profile_text(text, str(path))


@cache
def _shipped() -> tuple[Profile, ...]:
    folder = resources.files("assay.data").joinpath(SHIPPED_FOLDER)
    files = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".yaml")), key=str)
    return tuple(
        parse_profile_text(entry.read_text(encoding="utf-8"), f"{SHIPPED_FOLDER}/{entry.name}")
        for entry in files
    )


def shipped_profiles() -> list[Profile]:
    """The profiles shipped with assay, sorted by id."""
    return sorted(_shipped(), key=lambda profile: profile.id)


def resolve_profile(name_or_path: str) -> Profile:
    """A shipped profile by id, or the profile in a user's file."""
    shipped = {profile.id: profile for profile in _shipped()}
    if name_or_path in shipped and not Path(name_or_path).exists():
        return shipped[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(shipped))
        message = f"{name_or_path}: no such profile file or shipped id ({known})"
        raise NetworkInputError(message)
    return load_profile(path)
