"""RustCataloger: the crates compiled into Rust executables built with cargo-auditable, from its
`.dep-v0` ELF section: zlib-compressed JSON `{"packages": [{name, version, source, kind,
dependencies, root}]}` (rust-secure-code/cargo-auditable, auditable-serde). Crates only used at
build time (`"kind": "build"`) are not in the binary and are left out."""

import json
import zlib
from typing import Any

from packageurl import PackageURL

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import MIB, Package, elf_copies_containing, package_observations
from assay.catalog.metadata.elfdata import ELF_ERRORS, ElfData
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.component import Evidence
from assay.model.problem import ProblemKind

SECTION = ".dep-v0"
MAX_COMPRESSED = 8 * MIB
MAX_JSON = 64 * MIB


class AuditDataError(ValueError):
    """The section is not cargo-auditable data."""


def crates(compressed: bytes) -> list[dict[str, Any]]:
    """The runtime crates of a `.dep-v0` section, or AuditDataError."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_JSON)
    except zlib.error as err:
        raise AuditDataError(f"not zlib data: {err}") from err
    if inflater.unconsumed_tail:
        raise AuditDataError(f"inflates to more than {MAX_JSON // MIB} MiB")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise AuditDataError(f"not valid JSON: {err}") from err
    packages = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(packages, list):
        raise AuditDataError("no `packages` list")
    return [
        p
        for p in packages
        if isinstance(p, dict)
        and isinstance(p.get("name"), str)
        and isinstance(p.get("version"), str)
        and p.get("kind", "runtime") == "runtime"
    ]


class RustCataloger(Cataloger):
    """Rust executables built with cargo-auditable: every crate compiled in."""

    name = "rust"
    description = "cargo-auditable dependency lists (.dep-v0 ELF section) in Rust executables"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        observations: list[Observation] = []
        for copies in elf_copies_containing(index, SECTION.encode(), ctx):
            found = self._read(index, copies[0], ctx)
            for artifact in copies:
                for crate in found:
                    observations.extend(self._crate(crate, artifact))
        return observations

    def _read(
        self, index: FileIndex, artifact: Artifact, ctx: CatalogContext
    ) -> list[dict[str, Any]]:
        path = index.path_of(artifact)
        if path is None:
            return []
        try:
            with open(path, "rb") as stream:
                data = ElfData(stream).section(SECTION, MAX_COMPRESSED)
            return crates(data) if data is not None else []
        except (AuditDataError, *ELF_ERRORS) as err:
            message = f"cargo-auditable data not readable: {err}"
            ctx.problem(ProblemKind.CORRUPT, message, artifact.location)
            return []

    def _crate(self, crate: dict[str, Any], artifact: Artifact) -> list[Observation]:
        name, version = crate["name"], crate["version"]
        record = f"{SECTION}: {name} {version}"
        purl = PackageURL(type="cargo", name=name, version=version).to_string()
        how = Evidence(
            artifact.id,
            artifact.location,
            "cargo-auditable",
            matched=f"{name} {version}",
            record=record,
            embedded=not crate.get("root", False),
        )
        package = Package(name, version, "cargo", purl, record)
        return package_observations(package, self.name, artifact, how=how)
