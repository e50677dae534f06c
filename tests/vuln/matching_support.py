"""The real vulnerability data as MemorySources for the matching tests, and components to match."""

from functools import cache
from pathlib import Path

from assay.model.component import Component, ComponentType, Confidence
from assay.vuln.memory_source import MemorySource

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "assay" / "data" / "vulndata"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "vulndata"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "vulndata-samples"
MAIN_FILE = "nvd-subset.jsonl.gz"
KERNEL_FILE = "nvd-subset-linux-kernel.jsonl.gz"
OSV_FILE = "osv-subset.jsonl.gz"


def data_dir() -> Path:
    """The shipped copy of the vulnerability data, else the shared one beside the repository."""
    return SHIPPED if (SHIPPED / MAIN_FILE).is_file() else SHARED


@cache
def main_source() -> MemorySource:
    """Every record except the kernel-only ones, with the OSS-Fuzz OSV records."""
    folder = data_dir()
    return MemorySource.from_jsonl(folder / MAIN_FILE, osv=[folder / OSV_FILE])


@cache
def full_source() -> MemorySource:
    """Every record, the kernel-only ones included."""
    folder = data_dir()
    return MemorySource.from_jsonl(
        folder / MAIN_FILE, folder / KERNEL_FILE, osv=[folder / OSV_FILE]
    )


def component(
    product: str,
    version: str,
    cpes: tuple[str, ...] = (),
    purl: str | None = None,
    ecosystem: str | None = None,
) -> Component:
    """A component as identification makes it (product key, version, CPEs, purl)."""
    return Component(
        id=f"component:{product}:{version}",
        product=product,
        name=product,
        version=version,
        type=ComponentType.LIBRARY,
        purl=purl,
        cpes=cpes,
        found_by=("test",),
        confidence=Confidence.HIGH,
        evidence=(),
        ecosystem=ecosystem,
    )
