"""Single-stream compression fixtures, made with the real command-line compressors."""

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tests.factories.files import SAMPLE_FILES, make_tree


@dataclass(frozen=True)
class Variant:
    """One way of compressing a stream: the tool's argv (reading stdin, writing stdout), the
    file suffix it uses and the extractor expected to claim the result."""

    id: str
    argv: tuple[str, ...]
    suffix: str
    extractor: str
    concatenates: bool = True
    big_blocks: bool = False


VARIANTS = (
    Variant("xz", ("xz", "-c", "-T1"), ".xz", "xz"),
    Variant("lzma", ("xz", "--format=lzma", "-c"), ".lzma", "lzma", concatenates=False),
    Variant(
        "lzma-openwrt",
        ("xz", "--format=lzma", "--lzma1=preset=6,lc=1,lp=2,pb=2", "-c"),
        ".lzma",
        "lzma",
        concatenates=False,
    ),
    Variant("bzip2", ("bzip2", "-c"), ".bz2", "bzip2"),
    Variant("zstd", ("zstd", "-q", "-c"), ".zst", "zstd"),
    Variant("lz4", ("lz4", "-q", "-c"), ".lz4", "lz4", big_blocks=True),
    Variant(
        "lz4-legacy", ("lz4", "-q", "-l", "-c"), ".lz4", "lz4", concatenates=False, big_blocks=True
    ),
    Variant("lzop", ("lzop", "-c"), ".lzo", "lzo"),
    Variant("lzip", ("lzip", "-c"), ".lz", "lzip"),
)
BY_ID = {variant.id: variant for variant in VARIANTS}


def compress(variant: Variant, data: bytes) -> bytes:
    """`data` compressed by the variant's tool."""
    done = subprocess.run(variant.argv, input=data, capture_output=True, check=True)
    return done.stdout


def sample_tar(root: Path) -> bytes:
    """A tar of SAMPLE_FILES, written from a tree made under `root`."""
    tree = make_tree(root)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name in sorted(SAMPLE_FILES):
            archive.add(tree / name, arcname=name)
    return buffer.getvalue()


def lzop_file(source: Path, target: Path) -> Path:
    """`source` compressed by lzop into `target`, its name stored in the header."""
    subprocess.run(["lzop", "-q", "-o", str(target), source.name], cwd=source.parent, check=True)
    return target


def skippable_frame(payload: bytes, nibble: int = 0) -> bytes:
    """A zstd/lz4 skippable frame holding `payload`."""
    return bytes([0x50 + nibble]) + b"\x2a\x4d\x18" + len(payload).to_bytes(4, "little") + payload
