"""GoCataloger: the Go toolchain and the modules compiled into Go executables, from the build
information the Go linker embeds (format: `gobuildinfo`)."""

import re

from packageurl import PackageURL

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import Package, elf_copies_containing, package_observations
from assay.catalog.metadata.elfdata import ELF_ERRORS, ElfData
from assay.catalog.metadata.gobuildinfo import MAGIC, BuildInfo, Module, read_build_info
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.component import ComponentType, Confidence, Evidence
from assay.model.problem import ProblemKind

GO_VERSION = re.compile(r"go(?P<version>[0-9]+(?:\.[0-9]+)*(?:(?:rc|beta)[0-9]+)?)")
DEVEL = "(devel)"


class GoCataloger(Cataloger):
    """Go executables: the Go release (product `golang`) and every module they were built from."""

    name = "golang"
    description = "Go build info in ELF executables: Go version, main module and dependencies"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        observations: list[Observation] = []
        for copies in elf_copies_containing(index, MAGIC, ctx):
            info = self._read(index, copies[0], ctx)
            if info is None:
                continue
            for artifact in copies:
                observations.extend(self._observe(info, artifact))
        return observations

    def _read(self, index: FileIndex, artifact: Artifact, ctx: CatalogContext) -> BuildInfo | None:
        path = index.path_of(artifact)
        if path is None:
            return None
        try:
            with open(path, "rb") as stream:
                return read_build_info(ElfData(stream))
        except ELF_ERRORS as err:
            message = f"Go build info not readable: {type(err).__name__}: {err}"
            ctx.problem(ProblemKind.CORRUPT, message, artifact.location)
            return None

    def _observe(self, info: BuildInfo, artifact: Artifact) -> list[Observation]:
        observations = self._toolchain(info.go_version, artifact)
        for module in info.modules:
            if module.version and module.version != DEVEL:
                observations.extend(self._module(module, artifact))
        return observations

    def _toolchain(self, go_version: str, artifact: Artifact) -> list[Observation]:
        match = GO_VERSION.match(go_version)
        if match is None:
            return []
        version = match["version"]
        evidence = Evidence(
            artifact.id,
            artifact.location,
            "go-buildinfo",
            matched=go_version,
            record=f"Go build info: {go_version}",
            embedded=True,
        )
        return [
            Observation(
                product="golang",
                name="go",
                version=version,
                type=ComponentType.LIBRARY,
                found_by=self.name,
                confidence=Confidence.HIGH,
                evidence=evidence,
                purl=PackageURL(type="golang", name="stdlib", version=version).to_string(),
                cpes=(f"cpe:2.3:a:golang:go:{version}:*:*:*:*:*:*:*",),
                supplier="The Go Authors",
                ecosystem="golang",
            )
        ]

    def _module(self, module: Module, artifact: Artifact) -> list[Observation]:
        namespace, _, name = module.path.rpartition("/")
        purl = PackageURL(
            type="golang", namespace=namespace or None, name=name, version=module.version
        )
        kind = "mod" if module.main else "dep"
        record = f"Go build info: {kind} {module.path} {module.version}"
        package = Package(module.path, module.version, "golang", purl.to_string(), record)
        how = Evidence(
            artifact.id,
            artifact.location,
            "go-buildinfo",
            matched=f"{module.path} {module.version}",
            record=record,
            embedded=not module.main,
        )
        return package_observations(package, self.name, artifact, how=how)
