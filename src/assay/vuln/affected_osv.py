"""OSV affected packages (OSV schema 1.6): is a package version inside their ranges?

ECOSYSTEM ranges are ordered by the ecosystem's scheme (Debian, Alpine, PyPI …), SEMVER ranges by
SemVer; events are walked in version order as the OSV specification evaluates them (introduced
opens, fixed closes, last_affected closes after that version; introduced `0` is the start). An
explicit `versions` list also counts. GIT ranges (commit hashes) are skipped and named in the why.
Both shapes are read: raw OSV records (`affected[].package{ecosystem,name}`) and the records'
`osv_affected` (`{package, ecosystems[], ranges[]}`).
"""

from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from assay.vuln.match_result import SILENT, Decision, Status
from assay.vuln.source import CveRecord, OsvRecord
from assay.vuln.versions import Scheme, Version, parse, scheme_for_ecosystem

PURL_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "cargo": "crates.io",
    "deb": "Debian",
    "apk": "Alpine",
}
DISTRIBUTION_TYPES = frozenset({"deb", "apk"})
DEBIAN_CODENAMES = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}


@dataclass(frozen=True, slots=True)
class OsvTarget:
    """The OSV package(s) describing a component: ecosystem (`Debian`), release (`12`, `v3.18`)
    when known, package names (lower-case) and the version in that ecosystem."""

    ecosystem: str
    release: str | None
    names: frozenset[str]
    version: str

    @property
    def query_ecosystem(self) -> str:
        """The ecosystem to ask a source for (`Debian:12`, or `Debian` without a release)."""
        return f"{self.ecosystem}:{self.release}" if self.release else self.ecosystem

    @property
    def distribution(self) -> bool:
        """Whether this is a distribution's package (versions carry packaging revisions)."""
        return self.ecosystem in ("Debian", "Ubuntu", "Alpine")


@dataclass(frozen=True, slots=True)
class OsvAffected:
    """One affected package: its ecosystems, name, ranges and explicit versions."""

    ecosystems: tuple[str, ...]
    package: str
    ranges: tuple[dict[str, Any], ...]
    versions: tuple[str, ...] = ()


def target_for(purl: str | None, extra_names: tuple[str, ...] = ()) -> OsvTarget | None:
    """The OSV target of a package URL, or None if its type has no OSV ecosystem."""
    if not purl:
        return None
    try:
        url = PackageURL.from_string(purl)
    except ValueError:
        return None
    ecosystem = PURL_ECOSYSTEMS.get(url.type)
    if ecosystem is None or not url.version:
        return None
    name = (
        f"{url.namespace}/{url.name}"
        if url.namespace and url.type in ("npm", "golang")
        else url.name
    )
    release = None
    if url.type in DISTRIBUTION_TYPES:
        ecosystem, release = _distribution(url, ecosystem)
    names = {name.lower(), *(n.lower() for n in extra_names)}
    if url.type == "pypi":
        names.add(name.lower().replace("_", "-").replace(".", "-"))
    return OsvTarget(ecosystem, release, frozenset(names), url.version)


def _distribution(url: PackageURL, default: str) -> tuple[str, str | None]:
    qualifiers = url.qualifiers if isinstance(url.qualifiers, dict) else {}
    distro = str(qualifiers.get("distro", ""))
    namespace = (url.namespace or "").lower()
    ecosystem = "Ubuntu" if namespace == "ubuntu" else default
    release = distro.split("-", 1)[1] if "-" in distro else distro or None
    if release and url.type == "apk":
        release = "v" + ".".join(release.removeprefix("v").split(".")[:2])
    elif release:
        release = DEBIAN_CODENAMES.get(release, release)
    return ecosystem, release


def of_record(record: CveRecord) -> list[OsvAffected]:
    """The record's `osv_affected` packages (GIT-only entries have no package and are left out)."""
    return [
        OsvAffected(tuple(a.get("ecosystems", ())), str(a["package"]), tuple(a.get("ranges", ())))
        for a in record.get("osv_affected", ())
        if a.get("package")
    ]


def of_osv(osv: OsvRecord) -> list[OsvAffected]:
    """The affected packages of a raw OSV record."""
    found = []
    for affected in osv.get("affected", ()):
        package = affected.get("package") or {}
        if package.get("name") and package.get("ecosystem"):
            found.append(
                OsvAffected(
                    (str(package["ecosystem"]),),
                    str(package["name"]),
                    tuple(affected.get("ranges", ())),
                    tuple(str(v) for v in affected.get("versions", ())),
                )
            )
    return found


def vulnerability_id(osv: OsvRecord) -> str:
    """The CVE id of an OSV record (its id or first CVE alias), else its own id."""
    ident = str(osv.get("id", ""))
    if ident.startswith("CVE-"):
        return ident
    return next((str(a) for a in osv.get("aliases", ()) if str(a).startswith("CVE-")), ident)


def concerns(affected: OsvAffected, target: OsvTarget) -> bool:
    """Whether an affected package is the target's package in the target's ecosystem/release."""
    if affected.package.lower() not in target.names:
        return False
    return any(_same_ecosystem(e, target) for e in affected.ecosystems)


def _same_ecosystem(ecosystem: str, target: OsvTarget) -> bool:
    base, _, release = ecosystem.partition(":")
    if base.lower() != target.ecosystem.lower():
        return False
    if not release or target.release is None:
        return True
    return release == target.release or release.startswith(target.release + ":")


def decide(affected: list[OsvAffected], target: OsvTarget) -> Decision:
    """What the affected packages concerning the target say about its version."""
    verdicts = [_package(a, target) for a in affected if concerns(a, target)]
    for status in (Status.AFFECTED, Status.UNDECIDED, Status.UNAFFECTED):
        found = next((d for d in verdicts if d.status is status), None)
        if found is not None:
            return found
    return SILENT


def _package(affected: OsvAffected, target: OsvTarget) -> Decision:
    ecosystem = next(e for e in affected.ecosystems if _same_ecosystem(e, target))
    where = f"OSV {ecosystem} {affected.package}"
    why: dict[str, Any] = {"ecosystem": ecosystem, "package": affected.package}
    if target.version in affected.versions:
        return Decision(Status.AFFECTED, f"{where}: {target.version} is listed as affected", why)
    skipped = [r.get("repo", "GIT") for r in affected.ranges if r.get("type") == "GIT"]
    if skipped:
        why["skipped_git_ranges"] = skipped
    verdicts = []
    for rng in affected.ranges:
        if rng.get("type") in ("ECOSYSTEM", "SEMVER"):
            scheme = Scheme.SEMVER if rng["type"] == "SEMVER" else scheme_for_ecosystem(ecosystem)
            verdicts.append(_range(rng, target.version, scheme, where, why))
    if not verdicts:
        return SILENT
    for status in (Status.AFFECTED, Status.UNDECIDED):
        found = next((d for d in verdicts if d.status is status), None)
        if found is not None:
            return found
    return Decision(Status.UNAFFECTED, f"{where}: {target.version} is outside every range", why)


def _range(
    rng: dict[str, Any], version: str, scheme: Scheme | None, where: str, why: dict[str, Any]
) -> Decision:
    here = parse(version, scheme) if scheme is not None else None
    if scheme is None or here is None:
        reason = f"{where}: version {version!r} cannot be compared ({scheme or 'unknown scheme'})"
        return Decision(Status.UNDECIDED, reason, why)
    events: list[tuple[str, str, Version | None]] = []
    for event in rng.get("events", ()):
        for kind, text in event.items():
            value = None if kind == "introduced" and str(text) == "0" else parse(str(text), scheme)
            if value is None and not (kind == "introduced" and str(text) == "0"):
                reason = f"{where}: event {kind} {text!r} cannot be parsed ({scheme.value})"
                return Decision(Status.UNDECIDED, reason, why)
            events.append((kind, str(text), value))
    events.sort(key=lambda e: (e[2] is not None, e[2] if e[2] is not None else 0))
    return _walk(events, here, version, where, {**why, "events": rng.get("events", [])})


def _walk(
    events: list[tuple[str, str, Version | None]],
    here: Version,
    version: str,
    where: str,
    why: dict[str, Any],
) -> Decision:
    affected, start = False, None
    for kind, text, value in events:
        if kind == "introduced" and (value is None or here >= value):
            affected, start = True, text
        elif value is not None and _closes(kind, value, here):
            affected = False
    if not affected:
        return Decision(Status.UNAFFECTED, f"{where}: {version} is outside the range", why)
    fixed = next((t for k, t, v in events if k == "fixed" and v is not None and v > here), None)
    end = f"fixed in {fixed}" if fixed else "no fixed version"
    sentence = f"{where}: {version} is affected (introduced {start}, {end})"
    return Decision(Status.AFFECTED, sentence, why, fixed=fixed)


def _closes(kind: str, value: Version, here: Version) -> bool:
    """Whether a fixed (at or before) or last_affected (before) event ends the range for `here`."""
    return (kind == "fixed" and here >= value) or (kind == "last_affected" and here > value)
