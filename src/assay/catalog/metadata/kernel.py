"""KernelCataloger: the Linux kernel release a file system was built for, from its module
directories `/lib/modules/<release>/` and from the `vermagic=<release> …` string of each loadable
module's `.modinfo` (the kernel's include/linux/vermagic.h). The kernel image's own banner is a
binary rule. The version is the release as recorded (`uname -r`: `5.15.137`, `6.1.0-13-amd64`);
the CPE carries its leading numeric part."""

import posixpath
import re
from dataclasses import dataclass

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import ComponentType, Confidence, Evidence
from assay.model.problem import ProblemKind

MODULES_DIR = "/lib/modules/"
RELEASE = re.compile(r"(?P<numeric>[0-9]+\.[0-9]+(?:\.[0-9]+)?)[A-Za-z0-9._+~-]*")
VERMAGIC = b"vermagic="
MAX_VERMAGIC = 256
PREFERRED = ("modules.dep", "modules.order", "modules.builtin")


@dataclass(frozen=True, slots=True)
class ModuleDirectory:
    """One `/lib/modules/<release>/` directory and the file that stands for it."""

    container: str | None
    path: str
    release: str


def kernel_observation(release: str, evidence: Evidence, found_by: str) -> Observation | None:
    """A sighting of the kernel `release` (None if it is not a kernel release string)."""
    match = RELEASE.fullmatch(release)
    if match is None:
        return None
    numeric = match["numeric"]
    return Observation(
        product="linux_kernel",
        name="Linux kernel",
        version=release,
        type=ComponentType.OPERATING_SYSTEM,
        found_by=found_by,
        confidence=Confidence.HIGH,
        evidence=evidence,
        cpes=(f"cpe:2.3:o:linux:linux_kernel:{numeric}:*:*:*:*:*:*:*",),
        supplier="The Linux Kernel Organization",
    )


def module_directories(index: FileIndex) -> dict[ModuleDirectory, Artifact]:
    """Each module directory with one of its files (modules.dep first, else the first path)."""
    chosen: dict[ModuleDirectory, Artifact] = {}
    for artifact in index.artifacts:
        at = artifact.path.find(MODULES_DIR)
        if at < 0:
            continue
        release, sep, rest = artifact.path[at + len(MODULES_DIR) :].partition("/")
        if not sep or not rest:
            continue
        key = ModuleDirectory(
            artifact.parent, artifact.path[: at + len(MODULES_DIR)] + release, release
        )
        current = chosen.get(key)
        if current is None or _better(artifact, current):
            chosen[key] = artifact
    return chosen


def _better(candidate: Artifact, current: Artifact) -> bool:
    rank = {name: i for i, name in enumerate(PREFERRED)}
    mine = rank.get(posixpath.basename(candidate.path), len(PREFERRED))
    theirs = rank.get(posixpath.basename(current.path), len(PREFERRED))
    return (mine, candidate.path) < (theirs, current.path)


def is_module(artifact: Artifact) -> bool:
    """A relocatable ELF object named like a kernel module (`x.ko`, or `x.ko.xz` unpacked)."""
    return (
        artifact.kind is FileKind.ELF
        and bool(artifact.sha256)
        and artifact.elf is not None
        and artifact.elf.elf_type == "relocatable"
        and ".ko" in posixpath.basename(artifact.path)
    )


class KernelCataloger(Cataloger):
    """The Linux kernel release, from module directories and kernel modules."""

    name = "kernel"
    description = "Linux kernel release from /lib/modules/<release>/ and module vermagic strings"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        observations: list[Observation] = []
        for directory, artifact in module_directories(index).items():
            evidence = Evidence(
                artifact.id,
                artifact.location,
                "module-directory",
                matched=directory.release,
                record=f"{directory.path.lstrip('/')}/",
            )
            found = kernel_observation(directory.release, evidence, self.name)
            if found is not None:
                observations.append(found)
        for artifact in index.artifacts:
            if is_module(artifact):
                observations.extend(self._module(index, artifact, ctx))
        return observations

    def _module(
        self, index: FileIndex, artifact: Artifact, ctx: CatalogContext
    ) -> list[Observation]:
        try:
            with index.mapped(artifact) as data:
                offset = data.find(VERMAGIC)
                text = bytes(data[offset : offset + MAX_VERMAGIC]) if offset >= 0 else b""
        except OSError as err:
            ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", artifact.location)
            return []
        vermagic = text.split(b"\x00", 1)[0].decode("ascii", "replace")
        words = vermagic[len(VERMAGIC) :].split()
        if not words:
            return []
        evidence = Evidence(
            artifact.id,
            artifact.location,
            "module-vermagic",
            offset=offset,
            matched=vermagic,
            record=".modinfo vermagic",
        )
        found = kernel_observation(words[0], evidence, self.name)
        return [found] if found is not None else []
