"""Version schemes: how each product or ecosystem numbers its releases, and how to order them.

`parse(text, scheme)` gives a comparable `Version`, or None when the text is not a version of that
scheme; `compare` then answers None ("unknown"), and callers record that instead of matching.

Schemes:
- `openssl`: OpenSSL's letter releases (`1.0.2k < 1.0.2m < 1.0.2za`, `1.1.1w < 3.0.0`), via univers.
- `generic`: upstream release numbers of every other product: numeric components, then suffixes.
  Pre-release words (`dev`, `alpha`/`a1`, `beta`/`b1`, `pre`, `preview`, `rc`) sort before the
  release; any other suffix is a post-release (`9.2p1` > `9.2`, sudo `1.9.13p3` > `1.9.13`, bash
  `2.05b` > `2.05`, a vendor's `-perf`) and sorts after the release but before the next number
  (`9.0p1 < 9.0.1`). Trailing zero components are not significant (`5.11 == 5.11.0`). Dates
  (`20230101`) and year.release (`2022.83`) are plain numbers.
- `kernel`: the generic order (`5.10.102`, `6.8-rc3 < 6.8`); see `kernel_branch`.
- `debian`, `alpine`, `rpm`, `pep440`, `semver`, `go`: distribution and language ecosystems, via
  univers (Debian `1:1.35.0-1`, Alpine `1.34.0-r0`, PEP 440, SemVer for npm and crates.io).
"""

import re
from enum import StrEnum
from functools import lru_cache, total_ordering
from typing import Any

from univers import versions as uv


class Scheme(StrEnum):
    """A version numbering scheme."""

    GENERIC = "generic"
    OPENSSL = "openssl"
    KERNEL = "kernel"
    DEBIAN = "debian"
    ALPINE = "alpine"
    RPM = "rpm"
    PEP440 = "pep440"
    SEMVER = "semver"
    GO = "go"


PRODUCT_SCHEMES = {"openssl": Scheme.OPENSSL, "linux_kernel": Scheme.KERNEL}
# language packages are keyed `<ecosystem>:<name>` by the catalogers (`pypi:requests`)
PACKAGE_KEY_SCHEMES = {
    "pypi": Scheme.PEP440,
    "npm": Scheme.SEMVER,
    "cargo": Scheme.SEMVER,
    "golang": Scheme.GO,
}
# OSV ecosystem names (the part before `:`), lower-cased
ECOSYSTEM_SCHEMES = {
    "debian": Scheme.DEBIAN,
    "ubuntu": Scheme.DEBIAN,
    "alpine": Scheme.ALPINE,
    "pypi": Scheme.PEP440,
    "npm": Scheme.SEMVER,
    "crates.io": Scheme.SEMVER,
    "go": Scheme.GO,
    "red hat": Scheme.RPM,
    "rocky linux": Scheme.RPM,
    "almalinux": Scheme.RPM,
    "suse": Scheme.RPM,
    "opensuse": Scheme.RPM,
}
UNIVERS_CLASSES: dict[Scheme, type[uv.Version]] = {
    Scheme.OPENSSL: uv.OpensslVersion,
    Scheme.DEBIAN: uv.DebianVersion,
    Scheme.ALPINE: uv.AlpineLinuxVersion,
    Scheme.RPM: uv.RpmVersion,
    Scheme.PEP440: uv.PypiVersion,
    Scheme.SEMVER: uv.SemverVersion,
    Scheme.GO: uv.GolangVersion,
}

PRE_RELEASE = {
    "dev": 0,
    "snapshot": 0,
    "alpha": 1,
    "a": 1,
    "beta": 2,
    "b": 2,
    "pre": 3,
    "preview": 3,
    "rc": 4,
    "cr": 4,
}
POST_RELEASE_ALIASES = {"patch": "p", "pl": "p", "post": "p"}
GENERIC_TEXT = re.compile(r"^[0-9][0-9a-z.+_~-]*$")
GIT_HASH = re.compile(r"^[0-9a-f]{7,40}$")
TOKEN = re.compile(r"[0-9]+|[a-z]+")
# the three ranks of a token, and the end of the version between pre- and post-release
PRE, END, POST, NUMBER = 0, 1, 2, 3
OPENSSL_TWO_PART = re.compile(r"^[01]\.[0-9]+$")
ALPINE_BARE_PATCH = re.compile(r"([0-9])(p[0-9]+)")
KERNEL_NUMBERS = re.compile(r"[0-9]+")


@total_ordering
class Version:
    """A parsed version: ordered and compared with other versions of the same scheme."""

    __slots__ = ("key", "scheme", "text")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, text: str, scheme: Scheme, key: Any) -> None:
        self.text = text
        self.scheme = scheme
        self.key = key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return bool(self.scheme == other.scheme and self.key == other.key)

    def __lt__(self, other: "Version") -> bool:
        if self.scheme != other.scheme:
            raise TypeError(f"cannot order {self.scheme} and {other.scheme} versions")
        return bool(self.key < other.key)

    def __repr__(self) -> str:
        return f"Version({self.text!r}, {self.scheme.value})"


def scheme_for_product(product: str) -> Scheme:
    """The scheme of an assay product key (`openssl`, `linux_kernel`, `pypi:requests`, …)."""
    if product in PRODUCT_SCHEMES:
        return PRODUCT_SCHEMES[product]
    prefix, sep, _ = product.partition(":")
    if sep and prefix in PACKAGE_KEY_SCHEMES:
        return PACKAGE_KEY_SCHEMES[prefix]
    return Scheme.GENERIC


def scheme_for_ecosystem(ecosystem: str) -> Scheme | None:
    """The scheme of an OSV ecosystem (`Debian:12`, `Alpine:v3.18`, `PyPI`, …); None if unknown."""
    return ECOSYSTEM_SCHEMES.get(ecosystem.split(":", 1)[0].strip().lower())


@lru_cache(maxsize=131072)
def parse(text: str, scheme: Scheme) -> Version | None:
    """The version `text` denotes in `scheme`, or None if it is not one."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if scheme in (Scheme.GENERIC, Scheme.KERNEL):
        key = generic_key(cleaned)
        return Version(text, scheme, key) if key is not None else None
    parsed = _univers(cleaned, scheme)
    return Version(text, scheme, parsed) if parsed is not None else None


def compare(a: str, b: str, scheme: Scheme) -> int | None:
    """-1, 0 or 1 as `a` is older than, the same as or newer than `b`; None if either cannot be
    parsed in `scheme`."""
    left, right = parse(a, scheme), parse(b, scheme)
    if left is None or right is None:
        return None
    if left == right:
        return 0
    return -1 if left < right else 1


def generic_key(text: str) -> tuple[tuple[int, int, str], ...] | None:
    """The sort key of an upstream release number, or None if `text` is not one."""
    lowered = text.lower()
    if lowered.startswith("v") and lowered[1:2].isdigit():
        lowered = lowered[1:]
    if not GENERIC_TEXT.match(lowered):
        return None
    if GIT_HASH.match(lowered) and not lowered.isdigit():
        return None
    tokens = TOKEN.findall(lowered)
    items: list[tuple[int, int, str]] = []
    run = 0  # numbers in the current run of numeric tokens
    for index, token in enumerate(tokens):
        if token.isdigit():
            items.append((NUMBER, int(token), ""))
            run += 1
            continue
        run = _trim_zeros(items, run)
        followed_by_number = index + 1 < len(tokens) and tokens[index + 1].isdigit()
        if token in PRE_RELEASE and (len(token) > 1 or followed_by_number):
            items.append((PRE, PRE_RELEASE[token], token))
        else:
            items.append((POST, 0, POST_RELEASE_ALIASES.get(token, token)))
    _trim_zeros(items, run)
    items.append((END, 0, ""))
    return tuple(items)


def _trim_zeros(items: list[tuple[int, int, str]], run: int) -> int:
    """Drop the trailing zero components of the numeric run that ends `items` (keeping its first
    component), so that `5.11.0` equals `5.11`; returns 0, the length of the next run."""
    while run > 1 and items[-1] == (NUMBER, 0, ""):
        items.pop()
        run -= 1
    return 0


def _univers(text: str, scheme: Scheme) -> uv.Version | None:
    cls = UNIVERS_CLASSES[scheme]
    for candidate in _spellings(text, scheme):
        try:
            return cls(candidate)
        except (uv.InvalidVersion, ValueError, TypeError, AttributeError):
            continue
    return None


def _spellings(text: str, scheme: Scheme) -> tuple[str, ...]:
    """The text, then the spellings of it the scheme's parser accepts where feeds differ."""
    if scheme is Scheme.OPENSSL:
        bare = text.removeprefix("OpenSSL_").removeprefix("openssl-").removesuffix("-fips")
        if OPENSSL_TWO_PART.match(bare):
            bare += ".0"  # NVD writes `1.0` for 1.0.0
        return (bare,)
    if scheme is Scheme.ALPINE:
        # feeds write sudo's `1.9.5_p2-r0` as `1.9.5p2-r0`
        return (text, ALPINE_BARE_PATCH.sub(r"\1_\2", text))
    if scheme in (Scheme.SEMVER, Scheme.GO) and text[:1] in "vV":
        return (text, text[1:])
    return (text,)


@lru_cache(maxsize=16384)
def kernel_branch(version: str) -> tuple[int, ...] | None:
    """The stable branch of a kernel version: major.minor (`5.10.102` → (5, 10)), or the first
    three numbers for the 2.6 series (`2.6.32.71` → (2, 6, 32)); None without two numbers."""
    numbers = [int(n) for n in KERNEL_NUMBERS.findall(version.split("-", 1)[0])]
    if len(numbers) < 2:
        return None
    if numbers[:2] == [2, 6] and len(numbers) >= 3:
        return tuple(numbers[:3])
    return tuple(numbers[:2])
