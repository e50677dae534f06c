"""Password hash strings: which scheme (crypt(5) prefixes, LDAP `{SCHEME}` values, DES crypt),
whether it is weak, and the part that may be shown (scheme and salt)."""

import re
from dataclasses import dataclass
from enum import StrEnum

from assay.model.finding import Severity

CRYPT_CHARS = r"[./0-9A-Za-z]"
DES = re.compile(rf"{CRYPT_CHARS}{{13}}")
BSDI = re.compile(rf"_{CRYPT_CHARS}{{19}}")
MODULAR = re.compile(r"\$(?P<id>[0-9a-z]+)\$(?P<salt>(?:rounds=\d+\$)?[^$]*)\$(?P<digest>[^$]+)")
BCRYPT = re.compile(rf"\$2[abxy]\$\d\d\${CRYPT_CHARS}{{53}}")
MULTI_FIELD = re.compile(r"\$(y|gy|7|sha1|md5)[$,].+")
LDAP = re.compile(r"\{(?P<id>[A-Za-z0-9-]+)\}(?P<rest>.+)")
HEX = re.compile(r"[0-9a-fA-F]+")


class HashState(StrEnum):
    """What a password field holds."""

    EMPTY = "empty"
    LOCKED = "locked"
    HASH = "hash"
    PLAINTEXT = "plaintext"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Scheme:
    """A hash scheme: its name, whether it is weak (and how badly), whether default passwords
    are tried against it."""

    name: str
    weak: Severity | None = None
    fast: bool = True


SCHEMES = {
    "des": Scheme("des-crypt", Severity.HIGH),
    "bsdi": Scheme("bsdi-crypt", Severity.HIGH),
    "1": Scheme("md5-crypt", Severity.MEDIUM),
    "apr1": Scheme("apr1-md5", Severity.MEDIUM),
    "md5": Scheme("sun-md5-crypt", Severity.MEDIUM, fast=False),
    "5": Scheme("sha256-crypt"),
    "6": Scheme("sha512-crypt"),
    "2": Scheme("bcrypt", fast=False),
    "y": Scheme("yescrypt", fast=False),
    "gy": Scheme("gost-yescrypt", fast=False),
    "7": Scheme("scrypt", fast=False),
    "sha1": Scheme("sha1-crypt", fast=False),
    "SHA": Scheme("ldap-sha1", Severity.HIGH),
    "SSHA": Scheme("ldap-salted-sha1", Severity.MEDIUM),
    "MD5": Scheme("ldap-md5", Severity.HIGH),
    "SMD5": Scheme("ldap-salted-md5", Severity.MEDIUM),
    "hex32": Scheme("raw-md5", Severity.HIGH),
    "hex40": Scheme("raw-sha1", Severity.HIGH),
    "hex64": Scheme("raw-sha256", Severity.HIGH),
    "plain": Scheme("plaintext", Severity.HIGH),
}
HEX_SCHEMES = {32: "hex32", 40: "hex40", 64: "hex64"}


@dataclass(frozen=True, slots=True)
class PasswordHash:
    """A classified password field. `shown` is what a redacted report may print: the scheme and
    salt of a hash, nothing of a plaintext password."""

    value: str
    state: HashState
    scheme: Scheme | None = None
    shown: str = ""


def _modular(value: str) -> PasswordHash | None:
    if BCRYPT.fullmatch(value):
        return PasswordHash(value, HashState.HASH, SCHEMES["2"], value[:29])
    if MULTI_FIELD.fullmatch(value):
        prefix = value.split("$")[1].split(",")[0]
        return PasswordHash(value, HashState.HASH, SCHEMES[prefix], value[: value.rfind("$") + 1])
    match = MODULAR.fullmatch(value)
    if match is None or match.group("id") not in ("1", "5", "6", "apr1"):
        return None
    shown = value[: match.start("digest")]
    return PasswordHash(value, HashState.HASH, SCHEMES[match.group("id")], shown)


def _ldap(value: str) -> PasswordHash | None:
    match = LDAP.fullmatch(value)
    if match is None:
        return None
    scheme = match.group("id").upper()
    if scheme == "CRYPT":
        return classify(match.group("rest"))
    if scheme not in SCHEMES:
        return None
    return PasswordHash(value, HashState.HASH, SCHEMES[scheme], "{" + scheme + "}")


def classify(value: str, plaintext_possible: bool = False) -> PasswordHash:
    """Classify a password field. `plaintext_possible`: the file format allows a clear-text
    password (htpasswd on some servers, BusyBox httpd.conf), so an unrecognised value is one."""
    if value == "":
        return PasswordHash(value, HashState.EMPTY)
    if value[0] in "!*" or value in ("x", "NP", "LK", "*LK*"):
        return PasswordHash(value, HashState.LOCKED)
    found = _modular(value) if value.startswith("$") else None
    found = found or (_ldap(value) if value.startswith("{") else None)
    if found is not None:
        return found
    if DES.fullmatch(value):
        return PasswordHash(value, HashState.HASH, SCHEMES["des"], value[:2])
    if BSDI.fullmatch(value):
        return PasswordHash(value, HashState.HASH, SCHEMES["bsdi"], value[:9])
    if plaintext_possible and len(value) in HEX_SCHEMES and HEX.fullmatch(value):
        return PasswordHash(value, HashState.HASH, SCHEMES[HEX_SCHEMES[len(value)]], "")
    if plaintext_possible:
        return PasswordHash(value, HashState.PLAINTEXT, SCHEMES["plain"], "")
    return PasswordHash(value, HashState.UNKNOWN)
