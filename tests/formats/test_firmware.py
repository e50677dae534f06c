"""Firmware formats: uImage, FIT, JFFS2, UBI and UBIFS, alone, carved, damaged, and together in
a raw vendor flash image."""

import random
import struct
import zlib
from pathlib import Path

import pytest

from assay.extract.unpacker import UnpackResult
from assay.model.artifact import Artifact
from tests.conftest import Unpack, paths_under
from tests.factories.files import SAMPLE_FILES, expected_hashes, make_tree, sha256
from tests.factories.firmware import (
    CONFIG_FILES,
    KERNEL,
    fit_image,
    gz,
    jffs2_image,
    multi_uimage,
    plain_dtb,
    ramdisk,
    ubi_image,
    ubifs_image,
    uimage,
    vendor_image,
)

TIMESTAMP = "2020-09-13T12:26:40+00:00"


def _artifact(result: UnpackResult, *chain: str) -> Artifact:
    return next(a for a in result.artifacts if a.chain == chain)


def _metadata(result: UnpackResult, *chain: str) -> dict[str, str]:
    return dict(_artifact(result, *chain).metadata)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _raw(blob: bytes, offset: int = 0x1F3) -> bytes:
    """`blob` at an odd offset in random bytes, followed by erased flash."""
    return random.Random(offset).randbytes(offset) + blob + b"\xff" * 70_000


def _kinds(result: UnpackResult) -> list[str]:
    return [p.kind.value for p in result.problems]


# -- uImage ------------------------------------------------------------------------------------


def test_uimage_kernel_is_unwrapped_and_described(tmp_path: Path, unpack: Unpack) -> None:
    kernel_gz = gz(KERNEL)
    image = _write(tmp_path / "kernel.uimage", uimage(tmp_path / "build", kernel_gz))
    result = unpack(image)
    assert paths_under(result, "kernel.uimage") == {"/kernel.gz": sha256(kernel_gz)}
    assert paths_under(result, "kernel.uimage", "/kernel.gz") == {"/kernel": sha256(KERNEL)}
    assert _artifact(result, "kernel.uimage").format == "uimage"
    assert _metadata(result, "kernel.uimage") == {
        "name": "Linux-5.10.0",
        "os": "linux",
        "arch": "arm",
        "type": "kernel",
        "compression": "gzip",
        "load_address": "0x80008000",
        "entry_address": "0x80008000",
        "timestamp": TIMESTAMP,
        "data_size": str(len(kernel_gz)),
        "data_crc": "ok",
    }
    assert not result.problems


def test_uimage_ramdisk_cpio_yields_every_file(tmp_path: Path, unpack: Unpack) -> None:
    initrd = ramdisk(tmp_path)
    built = uimage(tmp_path / "build", initrd, kind="ramdisk", name="initramfs")
    result = unpack(_write(tmp_path / "initrd.uimage", built))
    assert paths_under(result, "initrd.uimage") == {"/ramdisk.gz": sha256(initrd)}
    inner = ("initrd.uimage", "/ramdisk.gz", "/ramdisk")
    assert paths_under(result, *inner) == expected_hashes()


def test_multi_file_uimage_is_split_into_parts(tmp_path: Path, unpack: Unpack) -> None:
    kernel_gz, initrd = gz(KERNEL), ramdisk(tmp_path)
    built = multi_uimage(tmp_path / "build", [kernel_gz, initrd])
    result = unpack(_write(tmp_path / "multi.uimage", built))
    assert paths_under(result, "multi.uimage") == {
        "/part-0.gz": sha256(kernel_gz),
        "/part-1": sha256(initrd),
    }
    assert paths_under(result, "multi.uimage", "/part-0.gz") == {"/part-0": sha256(KERNEL)}
    metadata = _metadata(result, "multi.uimage")
    assert (metadata["type"], metadata["arch"], metadata["parts"]) == ("multi", "mips", "2")


def test_uimage_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    kernel_gz = gz(KERNEL)
    image = _write(tmp_path / "flash.bin", _raw(uimage(tmp_path / "build", kernel_gz)))
    result = unpack(image)
    inner = ("flash.bin", "uimage@0x1f3")
    assert paths_under(result, *inner) == {"/kernel.gz": sha256(kernel_gz)}
    assert paths_under(result, *inner, "/kernel.gz") == {"/kernel": sha256(KERNEL)}


def test_uimage_with_bad_header_crc_is_not_claimed(tmp_path: Path, unpack: Unpack) -> None:
    built = bytearray(uimage(tmp_path / "build", gz(KERNEL)))
    built[40] ^= 0x20  # a letter of the image name
    result = unpack(_write(tmp_path / "bad.uimage", bytes(built)))
    assert all(a.format != "uimage" for a in result.artifacts)
    assert not any(part.startswith("uimage@") for a in result.artifacts for part in a.chain)


def test_truncated_uimage_is_a_problem_and_others_are_kept(tmp_path: Path, unpack: Unpack) -> None:
    built = uimage(tmp_path / "build", gz(KERNEL))
    source = tmp_path / "release"
    _write(source / "cut.uimage", built[: len(built) // 2])
    _write(source / "README", b"release notes\n")
    result = unpack(source)
    problems = [p for p in result.problems if p.extractor == "uimage"]
    assert [(p.kind.value, p.level.value) for p in problems] == [("corrupt", "error")]
    assert "truncated" in problems[0].message
    assert _metadata(result, "release", "/cut.uimage")["data_crc"] == "truncated"
    assert paths_under(result, "release", "/cut.uimage") == {
        "/kernel.gz": sha256(built[64 : len(built) // 2])
    }
    assert _artifact(result, "release", "/README").sha256 == sha256(b"release notes\n")


def test_uimage_data_crc_mismatch_is_a_warning_but_extracted(
    tmp_path: Path, unpack: Unpack
) -> None:
    payload = bytearray(KERNEL)
    built = bytearray(uimage(tmp_path / "build", bytes(payload), compression="none"))
    built[64 + 100] ^= 0xFF
    payload[100] ^= 0xFF
    result = unpack(_write(tmp_path / "kernel.uimage", bytes(built)))
    assert paths_under(result, "kernel.uimage") == {"/kernel": sha256(bytes(payload))}
    assert [(p.kind.value, p.level.value) for p in result.problems] == [("corrupt", "warning")]
    assert _metadata(result, "kernel.uimage")["data_crc"] == "mismatch"


# -- FIT -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("external", [False, True], ids=["embedded", "external"])
def test_fit_images_are_written_by_node_name(
    tmp_path: Path, unpack: Unpack, external: bool
) -> None:
    kernel_gz, initrd = gz(KERNEL), ramdisk(tmp_path)
    built = fit_image(tmp_path / "build", kernel_gz, initrd, external=external)
    result = unpack(_write(tmp_path / "image.itb", built))
    assert paths_under(result, "image.itb") == {
        "/kernel-1.gz": sha256(kernel_gz),
        "/ramdisk-1.gz": sha256(initrd),
    }
    assert paths_under(result, "image.itb", "/kernel-1.gz") == {"/kernel-1": sha256(KERNEL)}
    assert paths_under(result, "image.itb", "/ramdisk-1.gz", "/ramdisk-1") == expected_hashes()
    metadata = _metadata(result, "image.itb")
    assert metadata["description"] == "Vendor FIT"
    assert metadata["timestamp"] == TIMESTAMP
    assert metadata["kernel-1.type"] == "kernel"
    assert metadata["kernel-1.arch"] == "arm"
    assert metadata["kernel-1.os"] == "linux"
    assert metadata["kernel-1.compression"] == "gzip"
    assert metadata["kernel-1.load"] == "0x80008000"
    assert metadata["kernel-1.hash-1"] == "sha256 ok"
    assert metadata["ramdisk-1.description"] == "initramfs"
    assert metadata["ramdisk-1.hash-1"] == "crc32 ok"
    assert not [p for p in result.problems if p.extractor == "fit"]


def test_fit_with_external_data_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    kernel_gz, initrd = gz(KERNEL), gz(b"ramdisk" * 500)
    built = fit_image(tmp_path / "build", kernel_gz, initrd, external=True)
    result = unpack(_write(tmp_path / "flash.bin", _raw(built)))
    assert set(paths_under(result, "flash.bin")) == {"unknown@0x0", "fit@0x1f3"}
    assert paths_under(result, "flash.bin", "fit@0x1f3") == {
        "/kernel-1.gz": sha256(kernel_gz),
        "/ramdisk-1.gz": sha256(initrd),
    }


def test_plain_devicetree_is_inventoried_not_unpacked(tmp_path: Path, unpack: Unpack) -> None:
    blob = plain_dtb(tmp_path / "build")
    result = unpack(_write(tmp_path / "board.dtb", blob))
    assert [(a.chain, a.sha256, a.format) for a in result.artifacts] == [
        (("board.dtb",), sha256(blob), None)
    ]
    assert not result.problems


def test_fit_with_truncated_external_data_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    kernel_gz, initrd = gz(KERNEL), gz(b"ramdisk" * 500)
    built = fit_image(tmp_path / "build", kernel_gz, initrd, external=True)
    result = unpack(_write(tmp_path / "cut.itb", built[:-20]))
    problems = [p for p in result.problems if p.extractor == "fit"]
    assert [(p.kind.value, p.member) for p in problems] == [("corrupt", "ramdisk-1")]
    assert paths_under(result, "cut.itb")["/kernel-1.gz"] == sha256(kernel_gz)


# -- JFFS2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("big_endian", [False, True], ids=["little", "big"])
def test_jffs2_recovers_every_file(tmp_path: Path, unpack: Unpack, big_endian: bool) -> None:
    built = jffs2_image(tmp_path, make_tree(tmp_path / "tree"), big_endian)
    result = unpack(_write(tmp_path / "rootfs.jffs2", built))
    assert paths_under(result, "rootfs.jffs2") == expected_hashes()
    assert _artifact(result, "rootfs.jffs2").format == "jffs2"
    metadata = _metadata(result, "rootfs.jffs2")
    assert metadata["endianness"] == ("big" if big_endian else "little")
    assert not result.problems


def test_jffs2_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    built = jffs2_image(tmp_path, make_tree(tmp_path / "tree"), big_endian=True)
    result = unpack(_write(tmp_path / "flash.bin", _raw(built)))
    assert paths_under(result, "flash.bin", "jffs2@0x1f3") == expected_hashes()


def test_jffs2_damaged_node_is_a_problem_and_others_are_kept(
    tmp_path: Path, unpack: Unpack
) -> None:
    built = bytearray(jffs2_image(tmp_path, make_tree(tmp_path / "tree")))
    marker = built.find(b"admin")  # uncompressed data of www/index.html
    assert marker > 0
    built[marker] ^= 0x01
    result = unpack(_write(tmp_path / "rootfs.jffs2", bytes(built)))
    assert [(p.kind.value, p.member) for p in result.problems] == [("corrupt", "www/index.html")]
    recovered = paths_under(result, "rootfs.jffs2")
    expected = expected_hashes()
    assert recovered.pop("/www/index.html") != expected.pop("/www/index.html")
    assert recovered == expected


def test_jffs2_node_with_implausible_size_is_skipped(tmp_path: Path, unpack: Unpack) -> None:
    built = bytearray(jffs2_image(tmp_path, make_tree(tmp_path / "tree")))
    position = 0
    daemon = SAMPLE_FILES["usr/sbin/daemon"]
    while struct.unpack_from("<HH", built, position) != (0x1985, 0xE002) or (
        struct.unpack_from("<I", built, position + 28)[0] != len(daemon)  # isize
        or struct.unpack_from("<I", built, position + 44)[0] != 4096  # offset of the data
    ):
        position += (struct.unpack_from("<I", built, position + 4)[0] + 3) & ~3
    struct.pack_into("<I", built, position + 52, 0x7FFFFFFF)  # dsize: 2 GiB
    node_crc = zlib.crc32(bytes(built[position : position + 60]), 0xFFFFFFFF) ^ 0xFFFFFFFF
    struct.pack_into("<I", built, position + 64, node_crc)
    result = unpack(_write(tmp_path / "rootfs.jffs2", bytes(built)))
    assert [(p.kind.value, p.member) for p in result.problems] == [("corrupt", None)]
    assert "skipped" in result.problems[0].message
    hole = daemon[:4096] + bytes(4096) + daemon[8192:]
    assert paths_under(result, "rootfs.jffs2") == {
        **expected_hashes(),
        "/usr/sbin/daemon": sha256(hole),
    }


# -- UBI and UBIFS -------------------------------------------------------------------------------


def test_ubi_volumes_are_written_and_ubifs_unpacked(tmp_path: Path, unpack: Unpack) -> None:
    built = ubi_image(tmp_path, make_tree(tmp_path / "tree"))
    result = unpack(_write(tmp_path / "flash.ubi", built.image))
    assert paths_under(result, "flash.ubi") == {
        "/rootfs": sha256(built.ubifs),
        "/kernel": sha256(built.kernel),
    }
    assert paths_under(result, "flash.ubi", "/rootfs") == expected_hashes()
    assert paths_under(result, "flash.ubi", "/kernel") == {"/kernel.out": sha256(KERNEL)}
    assert _artifact(result, "flash.ubi").format == "ubi"
    metadata = _metadata(result, "flash.ubi")
    assert metadata["peb_size"] == str(128 * 1024)
    assert metadata["leb_size"] == "126976"
    assert metadata["volume.rootfs"] == "id 0, dynamic, 13 LEBs"
    assert metadata["volume.kernel"].startswith("id 1, static")
    assert _artifact(result, "flash.ubi", "/rootfs").format == "ubifs"
    assert not result.problems


@pytest.mark.parametrize("compressor", ["lzo", "zlib", "zstd"])
def test_raw_ubifs_recovers_every_file(tmp_path: Path, unpack: Unpack, compressor: str) -> None:
    built = ubifs_image(tmp_path, make_tree(tmp_path / "tree"), compressor)
    result = unpack(_write(tmp_path / "rootfs.ubifs", built))
    assert paths_under(result, "rootfs.ubifs") == expected_hashes()
    assert _metadata(result, "rootfs.ubifs")["leb_size"] == "126976"
    assert not result.problems


def test_ubi_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    built = ubi_image(tmp_path, make_tree(tmp_path / "tree"))
    result = unpack(_write(tmp_path / "flash.bin", _raw(built.image)))
    assert paths_under(result, "flash.bin")["ubi@0x1f3"] == sha256(built.image)
    assert paths_under(result, "flash.bin", "ubi@0x1f3", "/rootfs") == expected_hashes()


def test_ubifs_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    built = ubifs_image(tmp_path, make_tree(tmp_path / "tree"))
    result = unpack(_write(tmp_path / "flash.bin", _raw(built)))
    assert paths_under(result, "flash.bin")["ubifs@0x1f3"] == sha256(built)
    assert paths_under(result, "flash.bin", "ubifs@0x1f3") == expected_hashes()


def test_truncated_ubifs_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    built = ubifs_image(tmp_path, make_tree(tmp_path / "tree"))
    source = tmp_path / "release"
    _write(source / "cut.ubifs", built[: 4 * 126976])
    _write(source / "README", b"release notes\n")
    result = unpack(source)
    assert [(p.kind.value, p.extractor) for p in result.problems] == [("corrupt", "ubifs")]
    assert _artifact(result, "release", "/README").sha256 == sha256(b"release notes\n")


def test_truncated_ubi_is_a_problem_and_others_are_kept(tmp_path: Path, unpack: Unpack) -> None:
    built = ubi_image(tmp_path, make_tree(tmp_path / "tree"))
    source = tmp_path / "release"
    _write(source / "cut.ubi", built.image[: 5 * 128 * 1024 + 1000])
    _write(source / "README", b"release notes\n")
    result = unpack(source)
    assert "corrupt" in _kinds(result)
    assert _artifact(result, "release", "/README").sha256 == sha256(b"release notes\n")


# -- a whole vendor flash image ------------------------------------------------------------------


def test_vendor_flash_image_is_carved_into_its_parts(tmp_path: Path, unpack: Unpack) -> None:
    built = vendor_image(tmp_path / "build")
    image = _write(tmp_path / "firmware.bin", built.data)
    result = unpack(image)
    uimage_at = f"uimage@0x{built.uimage:x}"
    squashfs_at = f"squashfs@0x{built.squashfs:x}"
    jffs2_at = f"jffs2@0x{built.jffs2:x}"
    assert (built.uimage, built.squashfs) == (0x100, 0x10000)
    assert set(paths_under(result, "firmware.bin")) == {
        "unknown@0x0",
        uimage_at,
        squashfs_at,
        jffs2_at,
    }
    assert _metadata(result, "firmware.bin")["carved"] == ", ".join(
        (uimage_at, squashfs_at, jffs2_at)
    )
    assert paths_under(result, "firmware.bin", uimage_at) == {"/kernel.gz": sha256(built.kernel_gz)}
    assert paths_under(result, "firmware.bin", uimage_at, "/kernel.gz") == {
        "/kernel": sha256(KERNEL)
    }
    assert paths_under(result, "firmware.bin", squashfs_at) == expected_hashes()
    assert paths_under(result, "firmware.bin", jffs2_at) == {
        "/" + name: sha256(data) for name, data in CONFIG_FILES.items()
    }
