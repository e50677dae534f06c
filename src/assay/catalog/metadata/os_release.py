"""OsReleaseCataloger: the operating system a file system says it is — os-release(5) files
(`/etc/os-release`, `/usr/lib/os-release`: ID, VERSION_ID, NAME, CPE_NAME) and OpenWrt's
`/etc/openwrt_release` (DISTRIB_ID, DISTRIB_RELEASE)."""

import re
from urllib.parse import unquote

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import find, parse_env, read_text
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.component import ComponentType, Confidence, Evidence

OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")
OPENWRT_RELEASE = "/etc/openwrt_release"
MAX_MIB = 1
CPE23_FIELDS = 11
CPE22_PREFIX = "cpe:/"


def cpe23(name: str) -> str | None:
    """A CPE name as a CPE 2.3 formatted string; a CPE 2.2 URI (`cpe:/o:debian:debian_linux:12`)
    is converted as NISTIR 7695 §6.1.3 says (components percent-decoded and escaped, a packed
    `~` edition unpacked, missing components ANY)."""
    name = name.strip()
    if name.startswith("cpe:2.3:"):
        return name
    if not name.startswith(CPE22_PREFIX):
        return None
    parts = name[len(CPE22_PREFIX) :].split(":")
    if not parts[0]:
        return None
    values = [_bind(unquote(p)) for p in parts[:7]]
    values += ["*"] * (7 - len(values))
    edition = unquote(parts[5]) if len(parts) > 5 else ""
    if edition.startswith("~"):
        packed = (edition[1:].split("~") + [""] * 5)[:5]
        values[5] = _bind(packed[0])
        extended = [_bind(p) for p in packed[1:]]
    else:
        extended = ["*"] * 4
    # 2.3 order: part vendor product version update edition language, then the four extended
    # attributes sw_edition target_sw target_hw other.
    return "cpe:2.3:" + ":".join([*values, *extended][:CPE23_FIELDS])


def _bind(value: str) -> str:
    if value in ("", "*"):
        return "*"
    if value == "-":
        return "-"
    return re.sub(r"([^A-Za-z0-9._-])", r"\\\1", value)


class OsReleaseCataloger(Cataloger):
    """The distribution or firmware OS and its release."""

    name = "os-release"
    description = "operating system from /etc/os-release, /usr/lib/os-release, /etc/openwrt_release"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        observations: list[Observation] = []
        for found in find(index, *OS_RELEASE):
            values = parse_env(read_text(index, found.artifact, ctx, MAX_MIB))
            observations.extend(self._os_release(values, found.artifact))
        for found in find(index, OPENWRT_RELEASE):
            values = parse_env(read_text(index, found.artifact, ctx, MAX_MIB))
            observations.extend(self._openwrt(values, found.artifact))
        return observations

    def _os_release(self, values: dict[str, str], artifact: Artifact) -> list[Observation]:
        key = values.get("ID", "").strip().lower()
        version = values.get("VERSION_ID") or values.get("BUILD_ID") or ""
        if not key or not version:
            return []
        record = f"{artifact.path.lstrip('/')}: ID={key} VERSION_ID={version}"
        cpe = cpe23(values.get("CPE_NAME", ""))
        name = values.get("NAME") or key
        return [self._observe(key, name, version, (cpe,) if cpe else (), artifact, record)]

    def _openwrt(self, values: dict[str, str], artifact: Artifact) -> list[Observation]:
        name = values.get("DISTRIB_ID", "").strip()
        version = values.get("DISTRIB_RELEASE", "").strip()
        if not name or not version:
            return []
        key = name.lower()
        record = f"{artifact.path.lstrip('/')}: DISTRIB_ID={name} DISTRIB_RELEASE={version}"
        cpes = (f"cpe:2.3:o:openwrt:openwrt:{_bind(version)}:*:*:*:*:*:*:*",)
        return [
            self._observe(key, name, version, cpes if key == "openwrt" else (), artifact, record)
        ]

    def _observe(
        self,
        key: str,
        name: str,
        version: str,
        cpes: tuple[str, ...],
        artifact: Artifact,
        record: str,
    ) -> Observation:
        return Observation(
            product=key,
            name=name,
            version=version,
            type=ComponentType.OPERATING_SYSTEM,
            found_by=self.name,
            confidence=Confidence.HIGH,
            evidence=Evidence(artifact.id, artifact.location, "os-release", record=record),
            cpes=cpes,
        )
