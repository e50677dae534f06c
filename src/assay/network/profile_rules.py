"""One rule of a profile file: which fields each kind takes, and the checked Rule it becomes."""

from collections.abc import Callable, Mapping

from assay.network import functions
from assay.network.model import Layer, Metric, Rule, RuleKind, SiteClass, Source, VendorList
from assay.network.profile_fields import Fields

COMMON_FIELDS = frozenset({"id", "kind", "title", "source", "section", "network_types", "deadline"})
REQUIRED: Mapping[RuleKind, frozenset[str]] = {
    RuleKind.EXCLUDED_FUNCTION: frozenset({"vendors"}),
    RuleKind.EXCLUDED_SITE: frozenset({"vendors", "site_classes"}),
    RuleKind.ACCESS_SHARE_CAP: frozenset({"vendors", "max_percent", "metrics"}),
    RuleKind.NO_NEW_INSTALLS: frozenset({"vendors", "installs_from"}),
    RuleKind.REMOVAL: frozenset({"vendors"}),
    RuleKind.SINGLE_VENDOR: frozenset({"scope"}),
}
OPTIONAL: Mapping[RuleKind, frozenset[str]] = {
    RuleKind.EXCLUDED_FUNCTION: frozenset({"functions", "layers"}),
    RuleKind.ACCESS_SHARE_CAP: frozenset({"layers"}),
    RuleKind.SINGLE_VENDOR: frozenset({"min_vendors"}),
}
RULE_FIELDS = COMMON_FIELDS.union(*REQUIRED.values(), *OPTIONAL.values())
SCOPES = ("function", "region")
FunctionLookup = Callable[[str], str | None]


def canonical_function(name: str) -> str | None:
    """The taxonomy's canonical name of a network function (aliases and case accepted)."""
    found = functions.lookup(name)
    return None if found is None else found.name


def _kind(fields: Fields) -> RuleKind:
    raw = fields.text("kind")
    try:
        return RuleKind(raw.lower())
    except ValueError:
        known = ", ".join(kind.value for kind in RuleKind)
        raise fields.error("kind", f"unknown rule kind {raw!r} (one of: {known})") from None


def _check_fields(fields: Fields, kind: RuleKind) -> None:
    fields.refuse_unknown(RULE_FIELDS)
    allowed = COMMON_FIELDS | REQUIRED[kind] | OPTIONAL.get(kind, frozenset())
    for key in fields.data:
        if key not in allowed:
            raise fields.error(key, f"not meaningful for a {kind.value} rule")
    for key in sorted(REQUIRED[kind]):
        if fields.data.get(key) in (None, [], ""):
            raise fields.error(key, f"required for a {kind.value} rule")
    if kind is RuleKind.EXCLUDED_FUNCTION and not (
        fields.names("functions") or fields.names("layers")
    ):
        raise fields.error("functions", "an excluded-function rule needs functions or layers")


def _functions(fields: Fields, lookup: FunctionLookup) -> tuple[str, ...]:
    canonical: list[str] = []
    for name in fields.names("functions"):
        found = lookup(name)
        if found is None:
            hint = functions.suggest(name)
            also = f" (did you mean {hint}?)" if hint else ""
            raise fields.error("functions", f"unknown network function {name!r}{also}")
        canonical.append(found)
    return tuple(canonical)


def _site_classes(fields: Fields) -> tuple[SiteClass, ...]:
    classes = fields.choices("site_classes", SiteClass)
    if SiteClass.NONE in classes:
        raise fields.error("site_classes", "'none' is not a sensitive site class")
    return classes


def _scope(fields: Fields) -> str | None:
    scope = fields.optional_text("scope")
    if scope is not None and scope.lower() not in SCOPES:
        raise fields.error("scope", f"must be one of {', '.join(SCOPES)}, not {scope!r}")
    return None if scope is None else scope.lower()


def _reference(fields: Fields, name: str, known: Mapping[str, object], what: str) -> str | None:
    value = fields.text(name) if name == "source" else fields.optional_text(name)
    if value is not None and value not in known:
        listed = ", ".join(sorted(known)) or "none defined"
        raise fields.error(name, f"unknown {what} {value!r} (defined: {listed})")
    return value


def parse_rule(
    fields: Fields,
    sources: Mapping[str, Source],
    vendor_lists: Mapping[str, VendorList],
    lookup: FunctionLookup = canonical_function,
) -> Rule:
    """The Rule of one `rules:` entry, every field checked against its kind."""
    kind = _kind(fields)
    _check_fields(fields, kind)
    installs_from, deadline = fields.day("installs_from"), fields.day("deadline")
    if installs_from is not None and deadline is not None and deadline < installs_from:
        raise fields.error("deadline", f"{deadline} is before installs_from {installs_from}")
    return Rule(
        id=fields.text("id"),
        kind=kind,
        title=fields.text("title"),
        source=str(_reference(fields, "source", sources, "source")),
        section=fields.optional_text("section"),
        vendors=_reference(fields, "vendors", vendor_lists, "vendor list"),
        network_types=fields.names("network_types"),
        functions=_functions(fields, lookup),
        layers=fields.choices("layers", Layer),
        site_classes=_site_classes(fields),
        max_percent=fields.number("max_percent", 0, 100),
        metrics=fields.choices("metrics", Metric),
        installs_from=installs_from,
        deadline=deadline,
        scope=_scope(fields),
        min_vendors=fields.integer("min_vendors", 2) or 2,
    )
