"""Single-stream compressors (xz, lzma, bzip2, zstd, lz4, lzop, lzip): whole files, carving,
concatenation, truncation and bombs, with fixtures made by the real tools."""

import os
import subprocess
from pathlib import Path

import pytest

from assay.extract.formats.bzip2 import Bzip2Extractor
from assay.extract.formats.lz4 import Lz4Extractor
from assay.extract.formats.lzip import LzipExtractor
from assay.extract.formats.lzma import LzmaExtractor
from assay.extract.formats.lzo import LzoExtractor
from assay.extract.formats.xz import XzExtractor
from assay.extract.formats.zstd import ZstdExtractor
from assay.extract.limits import Limits
from assay.plugins import extractors
from tests.conftest import Unpack, paths_under
from tests.factories.files import expected_hashes, sha256
from tests.factories.streams import (
    BY_ID,
    VARIANTS,
    Variant,
    compress,
    lzop_file,
    sample_tar,
    skippable_frame,
)

MIB = 1024 * 1024
IDS = [variant.id for variant in VARIANTS]
CONCATENATING = [variant for variant in VARIANTS if variant.concatenates]


def _variant(request: pytest.FixtureRequest) -> Variant:
    variant: Variant = request.param
    return variant


@pytest.fixture(params=VARIANTS, ids=IDS)
def variant(request: pytest.FixtureRequest) -> Variant:
    return _variant(request)


def test_every_stream_extractor_is_exercised() -> None:
    classes = (
        XzExtractor,
        LzmaExtractor,
        Bzip2Extractor,
        ZstdExtractor,
        Lz4Extractor,
        LzoExtractor,
        LzipExtractor,
    )
    assert {cls.name for cls in classes} == {variant.extractor for variant in VARIANTS}
    assert {cls.name for cls in classes} <= {e.name for e in extractors()}


def test_stream_of_a_tar_recovers_every_file(
    tmp_path: Path, unpack: Unpack, variant: Variant
) -> None:
    tar = sample_tar(tmp_path / "tree")
    image = tmp_path / f"rootfs.tar{variant.suffix}"
    image.write_bytes(compress(variant, tar))
    result = unpack(image)
    assert paths_under(result, image.name) == {"/rootfs.tar": sha256(tar)}
    assert paths_under(result, image.name, "/rootfs.tar") == expected_hashes()
    container = next(a for a in result.artifacts if a.chain == (image.name,))
    assert container.format == variant.extractor
    assert not result.problems


def test_stream_carved_from_raw_image(tmp_path: Path, unpack: Unpack, variant: Variant) -> None:
    tar = sample_tar(tmp_path / "tree")
    blob = compress(variant, tar)
    image = tmp_path / "firmware.bin"
    image.write_bytes(os.urandom(777) + blob + b"\xff" * 4096)
    result = unpack(image)
    inner = ("firmware.bin", f"{variant.extractor}@0x309")
    carved = next((a for a in result.artifacts if a.chain == inner), None)
    assert carved is not None, [a.location for a in result.artifacts]
    assert carved.size == len(blob)
    assert paths_under(result, *inner) == {"/0x309": sha256(tar)}
    assert paths_under(result, *inner, "/0x309") == expected_hashes()


@pytest.mark.parametrize("variant", CONCATENATING, ids=[v.id for v in CONCATENATING])
def test_concatenated_streams_are_joined_and_carved_as_one(
    tmp_path: Path, unpack: Unpack, variant: Variant
) -> None:
    first, second = b"first part\n" * 1000, b"second part\n" * 1000
    joined = compress(variant, first) + compress(variant, second)
    image = tmp_path / f"joined{variant.suffix}"
    image.write_bytes(joined)
    result = unpack(image)
    assert paths_under(result, image.name) == {"/joined": sha256(first + second)}
    assert not result.problems
    raw = tmp_path / "firmware.bin"
    raw.write_bytes(os.urandom(555) + joined + b"\xff" * 1024)
    carved = unpack(raw)
    inner = ("firmware.bin", f"{variant.extractor}@0x22b")
    region = next(a for a in carved.artifacts if a.chain == inner)
    assert region.size == len(joined)
    assert paths_under(carved, *inner) == {"/0x22b": sha256(first + second)}


def test_truncated_stream_is_a_problem_and_keeps_partial_output(
    tmp_path: Path, unpack: Unpack, variant: Variant
) -> None:
    payload = os.urandom(9 * MIB if variant.big_blocks else MIB)
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / f"cut{variant.suffix}").write_bytes(compress(variant, payload)[:-1000])
    (folder / "notes.txt").write_bytes(b"still inventoried\n")
    result = unpack(folder)
    assert [p.kind.value for p in result.problems] == ["corrupt"]
    assert set(paths_under(result, "release")) == {f"/cut{variant.suffix}", "/notes.txt"}
    partial = next(a for a in result.artifacts if a.chain[-1] == "/cut")
    assert partial.chain == ("release", f"/cut{variant.suffix}", "/cut")
    assert 0 < partial.size < len(payload)
    assert partial.sha256 == sha256(payload[: partial.size])


@pytest.mark.parametrize("variant_id", ["zstd", "bzip2", "lz4", "lz4-legacy", "lzop"])
def test_bomb_is_stopped_by_the_ratio_limit(
    tmp_path: Path, unpack: Unpack, variant_id: str
) -> None:
    variant = BY_ID[variant_id]
    image = tmp_path / f"bomb{variant.suffix}"
    image.write_bytes(compress(variant, bytes(200 * MIB)))
    result = unpack(image, Limits(max_ratio=100, ratio_floor_bytes=MIB))
    assert "limit-ratio" in [p.kind.value for p in result.problems]
    left = [p for p in tmp_path.rglob("*") if p.is_file() and p != image]
    assert all(p.stat().st_size <= 2 * MIB for p in left)


def test_lzop_stored_name_is_used(tmp_path: Path, unpack: Unpack) -> None:
    tar_path = tmp_path / "rootfs.tar"
    tar_path.write_bytes(sample_tar(tmp_path / "tree"))
    image = lzop_file(tar_path, tmp_path / "part3.lzo")
    result = unpack(image)
    assert paths_under(result, "part3.lzo") == {"/rootfs.tar": sha256(tar_path.read_bytes())}
    assert paths_under(result, "part3.lzo", "/rootfs.tar") == expected_hashes()
    container = next(a for a in result.artifacts if a.chain == ("part3.lzo",))
    assert dict(container.metadata)["lzo.name"] == "rootfs.tar"


def test_lzop_checksum_mismatch_is_corrupt(tmp_path: Path, unpack: Unpack) -> None:
    data = bytearray(compress(BY_ID["lzop"], b"checked payload " * 4096))
    data[-20] ^= 0x55
    image = tmp_path / "bad.lzo"
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert [p.kind.value for p in result.problems] == ["corrupt"]


def test_zstd_skippable_frames_are_skipped_and_carved(tmp_path: Path, unpack: Unpack) -> None:
    payload = b"zstd payload\n" * 2000
    stream = (
        skippable_frame(b"\x00\x00\x01\x00")
        + compress(BY_ID["zstd"], payload)
        + skippable_frame(b"seek table" * 5, nibble=0xE)
    )
    whole = tmp_path / "frames.zst"
    whole.write_bytes(stream)
    result = unpack(whole)
    assert paths_under(result, "frames.zst") == {"/frames": sha256(payload)}
    assert not result.problems
    image = tmp_path / "firmware.bin"
    image.write_bytes(os.urandom(1001) + stream + b"\xff" * 512)
    carved = unpack(image)
    region = next(a for a in carved.artifacts if a.chain == ("firmware.bin", "zstd@0x3e9"))
    assert region.size == len(stream)
    assert paths_under(carved, "firmware.bin", "zstd@0x3e9") == {"/0x3e9": sha256(payload)}


def test_pzstd_output_starts_with_a_skippable_frame(tmp_path: Path, unpack: Unpack) -> None:
    payload = os.urandom(64 * 1024) * 4
    done = subprocess.run(["pzstd", "-q", "-c", "-p", "2"], input=payload, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"\x50\x2a\x4d\x18"
    image = tmp_path / "parallel.zst"
    image.write_bytes(done.stdout)
    result = unpack(image)
    assert paths_under(result, "parallel.zst") == {"/parallel": sha256(payload)}
    container = next(a for a in result.artifacts if a.chain == ("parallel.zst",))
    assert container.format == ZstdExtractor.name


def test_lz4_legacy_multi_block_with_kernel_size_appended(tmp_path: Path, unpack: Unpack) -> None:
    payload = bytes(range(256)) * (9 * MIB // 256) + b"tail"
    blob = compress(BY_ID["lz4-legacy"], payload) + len(payload).to_bytes(4, "little")
    image = tmp_path / "vmlinux.lz4"
    image.write_bytes(blob)
    result = unpack(image)
    assert paths_under(result, "vmlinux.lz4") == {"/vmlinux": sha256(payload)}
    container = next(a for a in result.artifacts if a.chain == ("vmlinux.lz4",))
    metadata = dict(container.metadata)
    assert metadata["lz4.format"] == "legacy"
    assert metadata["lz4.appended_size"] == str(len(payload))
    assert not result.problems
    assert Lz4Extractor().measure(b"\x00" * 3 + blob, 3) == len(blob) - 4


def test_lzma_lookalike_header_is_not_accepted(tmp_path: Path, unpack: Unpack) -> None:
    fake = b"\x5d\x00\x00\x80\x00" + b"\xff" * 8 + b"\x00" + os.urandom(4096)
    extractor = LzmaExtractor()
    assert extractor.measure(fake, 0) is None
    assert not extractor.identify(fake, Path("x.lzma"))
    bad_size = b"\x5d\x00\x00\x80\x00" + (1 << 50).to_bytes(8, "little") + bytes(64)
    assert not extractor.identify(bad_size, Path("x.lzma"))
    image = tmp_path / "firmware.bin"
    image.write_bytes(os.urandom(333) + fake + b"\xff" * 256)
    result = unpack(image)
    assert not [a for a in result.artifacts if a.format == "lzma"]
    real = compress(BY_ID["lzma"], b"real stream" * 100)
    assert extractor.measure(b"\xff" + real, 1) == len(real)
    assert extractor.identify(real, Path("kernel.bin"))
