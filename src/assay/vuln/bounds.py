"""Whether a version satisfies one NVD cpeMatch: its version bounds, or the exact version (with
its update) in the criteria, compared under the product's version scheme.

NVD spellings handled: `*` (ANY: the bounds decide, no bounds = every version), `-` (NA: only a
component without a version), an update in its own field (`openssh:7.4:p1` is 7.4p1, sudo
`1.9.5:patch1` is 1.9.5p1, `4.0:rc1` is 4.0-rc1, bash `2.05:a` is 2.05a, bash `5.0:patch10` is
5.0.10), and an update on a range (`*:p2` up to 7.2 means up to 7.2p2). A criteria version with ANY
update also covers the version's own updates in generic schemes (`openssh:7.4:*` covers 7.4p1),
an NA update does not (`ntp:4.2.8:-` is 4.2.8 alone, not 4.2.8p10);
OpenSSL letters are releases, not updates (`1.0.2` does not cover `1.0.2a`).
"""

import re
from dataclasses import dataclass
from typing import Any

from assay.vuln.cpe import Cpe, Logical, Wildcard, literal
from assay.vuln.versions import END, NUMBER, Scheme, compare, parse

BOUND_KEYS = (
    "versionStartIncluding",
    "versionStartExcluding",
    "versionEndIncluding",
    "versionEndExcluding",
)
PATCH_UPDATE = re.compile(r"(?:p|patch|pl)([0-9]+)")
# products whose patch level is the version's next dotted number (bash 5.0 patch 10 = 5.0.10)
DOTTED_PATCH_PRODUCTS = frozenset({"bash"})


@dataclass(frozen=True, slots=True)
class Bounds:
    """versionStart/End Including/Excluding of a cpeMatch (None where absent)."""

    start_including: str | None = None
    start_excluding: str | None = None
    end_including: str | None = None
    end_excluding: str | None = None

    @property
    def empty(self) -> bool:
        """Whether no bound is set."""
        return not (
            self.start_including or self.start_excluding or self.end_including or self.end_excluding
        )

    def as_dict(self) -> dict[str, str]:
        """The bounds under their NVD names, leaving out those not set."""
        values = (
            self.start_including,
            self.start_excluding,
            self.end_including,
            self.end_excluding,
        )
        return {k: v for k, v in zip(BOUND_KEYS, values, strict=True) if v}

    def interval(self) -> str:
        """The bounds as an interval: `[1.0.2, 1.0.2u)`, `(*, 9.8)`."""
        low = f"[{self.start_including}" if self.start_including else None
        low = low or (f"({self.start_excluding}" if self.start_excluding else "(*")
        high = f"{self.end_including}]" if self.end_including else None
        high = high or (f"{self.end_excluding})" if self.end_excluding else "*)")
        return f"{low}, {high}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a version is inside a cpeMatch, or undecided; `detail` says which way and why."""

    inside: bool
    undecided: bool
    detail: str


OUTSIDE = Verdict(False, False, "is outside")
NO_BOUNDS = Bounds()
BOUND_KEY_SET = frozenset(BOUND_KEYS)


def from_entry(entry: dict[str, Any]) -> Bounds:
    """The bounds of a cpeMatch dict."""
    if not entry.keys() & BOUND_KEY_SET:
        return NO_BOUNDS
    values = [str(entry[k]) if entry.get(k) not in (None, "") else None for k in BOUND_KEYS]
    return Bounds(*values)


def describe_criteria(criteria: str, bounds: Bounds) -> str:
    """A criteria with its bounds, for a condition: `cpe:2.3:h:cisco:rv320:-:… ` or
    `cpe:2.3:o:linux:linux_kernel:*:… in [4.4, 4.9)`."""
    return f"{criteria} in {bounds.interval()}" if not bounds.empty else criteria


def check(criteria: Cpe, bounds: Bounds, version: str, scheme: Scheme, product: str) -> Verdict:
    """Whether `version` (of `product`, in `scheme`) is inside the criteria's version or bounds."""
    wanted = criteria.version
    update = literal(criteria.update)
    if wanted is Logical.NA:
        inside = version.strip() in ("", "-")
        return Verdict(inside, False, "has no version" if inside else "has a version")
    if wanted is Logical.ANY:
        return _within(bounds, version, scheme, update)
    if isinstance(wanted, Wildcard):
        inside = wanted.matches(version)
        return Verdict(inside, False, f"matches version pattern {wanted.text}")
    any_update = criteria.update is Logical.ANY
    return _exact(wanted, update, version, scheme, product, any_update=any_update)


def _within(bounds: Bounds, version: str, scheme: Scheme, update: str | None) -> Verdict:
    if bounds.empty:
        return Verdict(True, False, "is covered by every version")
    end_including = _with_range_update(bounds.end_including, update)
    end_excluding = _with_range_update(bounds.end_excluding, update)
    tests = (
        (bounds.start_including, (0, 1)),
        (bounds.start_excluding, (1,)),
        (end_including, (-1, 0)),
        (end_excluding, (-1,)),
    )
    for bound, allowed in tests:
        if bound is None:
            continue
        order = compare(version, bound, scheme)
        if order is None:
            message = f"version {version!r} cannot be compared with {bound!r} ({scheme.value})"
            return Verdict(False, True, message)
        if order not in allowed:
            return OUTSIDE
    return Verdict(True, False, f"is in {bounds.interval()}")


def _with_range_update(bound: str | None, update: str | None) -> str | None:
    """`*:p2` with versionEndIncluding 7.2 means up to 7.2p2: a plain numeric end bound takes
    the criteria's update."""
    if bound is None or update is None or not re.fullmatch(r"[0-9.]+", bound):
        return bound
    return with_update(bound, update, "")


def _exact(
    wanted: str, update: str | None, version: str, scheme: Scheme, product: str, *, any_update: bool
) -> Verdict:
    target = with_update(wanted, update, product)
    order = compare(version, target, scheme)
    if order is None:
        if version.strip().lower() == target.lower():
            return Verdict(True, False, f"is version {target}")
        if parse(version, scheme) is not None and not version.startswith(wanted):
            # only the criteria's spelling is odd (`0.9.6h:bogus`), and it is another release
            return OUTSIDE
        message = f"version {version!r} cannot be compared with {target!r} ({scheme.value})"
        return Verdict(False, True, message)
    if order == 0:
        return Verdict(True, False, f"is version {target}")
    # only an ANY update covers the version's updates: NA (`ntp:4.2.8:-`) is the release alone
    if any_update and order > 0 and _is_update_of(version, wanted, scheme):
        return Verdict(True, False, f"is an update of version {wanted}")
    return OUTSIDE


def with_update(version: str, update: str | None, product: str) -> str:
    """The version an NVD version and update field stand for (`7.4` + `p1` → `7.4p1`)."""
    if update is None:
        return version
    plain = update.lstrip("-_.")
    patch = PATCH_UPDATE.fullmatch(plain)
    if patch:
        separator = "." if product in DOTTED_PATCH_PRODUCTS else "p"
        return f"{version}{separator}{patch[1]}"
    if re.fullmatch(r"[a-z]", plain):
        return version + plain
    return f"{version}-{plain}"


def _is_update_of(version: str, base: str, scheme: Scheme) -> bool:
    """Whether `version` is `base` followed by an update suffix (`7.4p1` of `7.4`, `4.0-rc1`)."""
    if scheme not in (Scheme.GENERIC, Scheme.KERNEL):
        return False
    parsed_full, parsed_prefix = parse(version, scheme), parse(base, scheme)
    if parsed_full is None or parsed_prefix is None:
        return False
    full, head = parsed_full.key, parsed_prefix.key[:-1]

    return (
        len(full) > len(head) + 1
        and full[: len(head)] == head
        and full[len(head)][0] not in (END, NUMBER)
    )
