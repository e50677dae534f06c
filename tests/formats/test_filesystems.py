"""File-system images: squashfs, cramfs, ext2/ext4, ISO 9660 and Android sparse images, whole,
carved out of raw images, truncated and hostile."""

import os
import struct
from pathlib import Path

import pytest

from assay.extract.unpacker import UnpackResult
from assay.model.artifact import Artifact
from tests.conftest import Unpack, paths_under
from tests.factories import filesystems as build
from tests.factories.files import sha256

COMPRESSORS = ("gzip", "lzo", "lz4", "xz", "zstd")
NO_TABLE = 0xFFFF_FFFF_FFFF_FFFF


def _artifact(result: UnpackResult, *chain: str) -> Artifact:
    return next(a for a in result.artifacts if a.chain == chain)


def _problems(result: UnpackResult) -> list[tuple[str, str | None]]:
    return sorted((p.kind.value, p.member) for p in result.problems)


def _raw_image(tmp_path: Path, blob: bytes, offset: int) -> Path:
    image = tmp_path / "firmware.bin"
    image.write_bytes(os.urandom(offset) + blob + b"\xff" * 8192)
    return image


def _assert_setuid_kept(result: UnpackResult, *chain: str) -> None:
    daemon = _artifact(result, *chain, "/" + build.SETUID_FILE)
    assert daemon.mode == 0o4755
    assert "setuid" in daemon.flags


# -- squashfs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_squashfs_every_compressor(tmp_path: Path, unpack: Unpack, compressor: str) -> None:
    image = build.squashfs(tmp_path, tmp_path / "rootfs.sqfs", compressor)
    result = unpack(image)
    assert paths_under(result, "rootfs.sqfs") == build.fs_expected()
    _assert_setuid_kept(result, "rootfs.sqfs")
    assert _problems(result) == [("special-file", "dev/console"), ("special-file", "dev/initctl")]
    metadata = dict(_artifact(result, "rootfs.sqfs").metadata)
    assert _artifact(result, "rootfs.sqfs").format == "squashfs"
    assert metadata["compression"] == compressor
    assert metadata["version"] == "4.0"
    assert metadata["mkfs_time"] == "2020-09-13T12:26:40+00:00"
    assert metadata["block_size"] == "131072"


def test_squashfs_device_numbers_are_reported(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.squashfs(tmp_path, tmp_path / "rootfs.sqfs"))
    messages = {p.member: p.message for p in result.problems}
    assert messages["dev/console"] == "character device 5,1 not created"
    assert messages["dev/initctl"] == "FIFO not created"


def test_squashfs_carved_at_odd_offset(tmp_path: Path, unpack: Unpack) -> None:
    blob = build.squashfs(tmp_path, tmp_path / "rootfs.sqfs", devices=False).read_bytes()
    result = unpack(_raw_image(tmp_path, blob, 1001))
    assert paths_under(result, "firmware.bin")["squashfs@0x3e9"] == sha256(blob)
    assert paths_under(result, "firmware.bin", "squashfs@0x3e9") == build.fs_expected()
    assert not result.problems


def test_truncated_squashfs_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    image = build.squashfs(tmp_path, tmp_path / "build.sqfs", devices=False)
    used = struct.unpack_from("<Q", image.read_bytes(), 40)[0]
    release = tmp_path / "release"
    release.mkdir()
    (release / "rootfs.sqfs").write_bytes(image.read_bytes()[: used // 2])
    (release / "README").write_bytes(b"release notes\n")
    result = unpack(release)
    assert paths_under(result, "release") == {
        "/README": sha256(b"release notes\n"),
        "/rootfs.sqfs": sha256(image.read_bytes()[: used // 2]),
    }
    messages = [p.message for p in result.problems if p.kind.value == "corrupt"]
    assert any(m.startswith("image is truncated") for m in messages), messages
    assert any("unsquashfs failed" in m for m in messages), messages


@pytest.mark.parametrize(("old", "new"), [(b"abcdefgh", b"../pwned"), (b"yyyyyyyy", b"zzzzzzzz")])
def test_hostile_squashfs_names_are_refused(
    tmp_path: Path, unpack: Unpack, old: bytes, new: bytes
) -> None:
    tree = tmp_path / "tree"
    (tree / "yyyyyyyy").mkdir(parents=True)
    (tree / "abcdefgh").write_bytes(b"escaped\n")
    (tree / "yyyyyyyy" / "f").write_bytes(b"through the link\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(str(outside), tree / "zzzzzzzz")
    image = tmp_path / "evil.sqfs"
    build.run("mksquashfs", tree, image, "-noappend", "-noI", "-noD", "-noF", "-noX", "-quiet")
    data = bytearray(image.read_bytes())
    at = data.rfind(old)
    data[at : at + len(new)] = new
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert not any(outside.iterdir())
    assert not list(tmp_path.rglob("pwned"))
    assert [p.kind.value for p in result.problems] == ["corrupt"]


def _superblock(magic: bytes, endian: str, major: int, size: int = 8192) -> bytes:
    """A squashfs superblock of the given variant over zeros: enough to identify and name it."""
    head = bytearray(size)
    head[:4] = magic
    struct.pack_into(endian + "HH", head, 28, major, 0)
    if major == 4:
        struct.pack_into(endian + "IIIIHH", head, 4, 5, 0, 131072, 0, 1, 17)
        struct.pack_into(endian + "8Q", head, 32, 0, size, 0x80, NO_TABLE, 0x60, 0x70, 0x78, 0x7C)
    else:
        struct.pack_into(endian + "HH", head, 32, 0, 16)
        struct.pack_into(endian + "I8xIIIQ", head, 39, 0, 65536, 0, 0, size)
    return bytes(head)


@pytest.mark.parametrize(
    ("magic", "endian", "major", "message"),
    [
        (b"sqsh", ">", 4, "squashfs 4.0 big-endian: unsquashfs cannot read it; vendor variants"),
        (b"shsq", "<", 3, "squashfs 3.0 little-endian, vendor magic 'shsq': unsquashfs cannot"),
        (b"hsqs", "<", 3, "squashfs 3.0 little-endian: unsquashfs failed: "),
        (b"sqsh", ">", 3, "squashfs 3.0 big-endian: unsquashfs failed: "),
    ],
)
def test_squashfs_variants_are_named(
    tmp_path: Path, unpack: Unpack, magic: bytes, endian: str, major: int, message: str
) -> None:
    image = tmp_path / "old.sqfs"
    image.write_bytes(_superblock(magic, endian, major))
    result = unpack(image)
    assert _artifact(result, "old.sqfs").format == "squashfs"
    assert [p.kind.value for p in result.problems] == ["corrupt"]
    assert result.problems[0].message.startswith(message), result.problems[0].message


# -- cramfs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("endian", "pad"), [("little", False), ("big", False), ("little", True)])
def test_cramfs_both_byte_orders(tmp_path: Path, unpack: Unpack, endian: str, pad: bool) -> None:
    image = build.cramfs(tmp_path, tmp_path / "rootfs.cramfs", endian, pad)
    result = unpack(image)
    assert paths_under(result, "rootfs.cramfs") == build.fs_expected()
    _assert_setuid_kept(result, "rootfs.cramfs")
    assert _artifact(result, "rootfs.cramfs").format == "cramfs"
    assert dict(_artifact(result, "rootfs.cramfs").metadata)["endianness"] == endian
    assert not result.problems


def test_cramfs_carved_at_odd_offset(tmp_path: Path, unpack: Unpack) -> None:
    blob = build.cramfs(tmp_path, tmp_path / "rootfs.cramfs", "big").read_bytes()
    result = unpack(_raw_image(tmp_path, blob, 777))
    assert paths_under(result, "firmware.bin", "cramfs@0x309") == build.fs_expected()


def test_truncated_cramfs_keeps_what_it_can(tmp_path: Path, unpack: Unpack) -> None:
    data = build.cramfs(tmp_path, tmp_path / "build.cramfs").read_bytes()
    release = tmp_path / "release"
    release.mkdir()
    (release / "rootfs.cramfs").write_bytes(data[: len(data) // 2])
    (release / "README").write_bytes(b"notes\n")
    result = unpack(release)
    assert paths_under(result, "release")["/README"] == sha256(b"notes\n")
    messages = [p.message for p in result.problems if p.kind.value == "corrupt"]
    assert f"image is truncated: {len(data) // 2} of {len(data)} bytes" in messages


def test_cramfs_reports_devices_and_bad_crc(tmp_path: Path, unpack: Unpack) -> None:
    tree = build.fs_tree(tmp_path / "tree")
    os.mkfifo(tree / "fifo")
    image = tmp_path / "rootfs.cramfs"
    build.run("mkfs.cramfs", tree, image)
    data = bytearray(image.read_bytes())
    data[-1] ^= 0xFF
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert paths_under(result, "rootfs.cramfs") == build.fs_expected()
    assert _problems(result) == [("corrupt", None), ("special-file", "fifo")]
    assert result.problems[0].message.startswith("CRC mismatch")


def test_cramfs_name_climbing_out_is_refused(tmp_path: Path, unpack: Unpack) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "abcdefgh").write_bytes(b"escaped\n")
    (tree / "kept").write_bytes(b"kept\n")
    image = tmp_path / "evil.cramfs"
    build.run("mkfs.cramfs", tree, image)
    data = bytearray(image.read_bytes())
    at = data.find(b"abcdefgh")
    data[at : at + 8] = b"../pwned"
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert not list(tmp_path.rglob("pwned"))
    assert paths_under(result, "evil.cramfs") == {"/kept": sha256(b"kept\n")}
    assert ("invalid-name", "../pwned") in _problems(result)


# -- ext2 / ext4 ---------------------------------------------------------------------------------


def test_ext4_made_by_mkfs(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.ext4(tmp_path, tmp_path / "rootfs.ext4"))
    assert paths_under(result, "rootfs.ext4") == build.fs_expected()
    _assert_setuid_kept(result, "rootfs.ext4")
    assert _artifact(result, "rootfs.ext4").format == "extfs"
    assert dict(_artifact(result, "rootfs.ext4").metadata)["flavour"] == "ext4"
    assert not result.problems


def test_ext2_made_by_genext2fs(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.ext2(tmp_path, tmp_path / "rootfs.img"))
    assert paths_under(result, "rootfs.img") == build.fs_expected()
    _assert_setuid_kept(result, "rootfs.img")
    assert dict(_artifact(result, "rootfs.img").metadata)["flavour"] == "ext2"
    assert _problems(result) == [("special-file", "dev/console")]


def test_ext2_carved_at_odd_offset(tmp_path: Path, unpack: Unpack) -> None:
    blob = build.ext2(tmp_path, tmp_path / "rootfs.img").read_bytes()
    result = unpack(_raw_image(tmp_path, blob, 513))
    assert paths_under(result, "firmware.bin")["extfs@0x201"] == sha256(blob)
    assert paths_under(result, "firmware.bin", "extfs@0x201") == build.fs_expected()


def test_truncated_ext4_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    data = build.ext4(tmp_path, tmp_path / "rootfs.ext4").read_bytes()
    image = tmp_path / "cut.ext4"
    image.write_bytes(data[: len(data) // 2])
    result = unpack(image)
    messages = [p.message for p in result.problems]
    assert f"image is truncated: {len(data) // 2} of {len(data)} bytes" in messages


def test_ext_duplicate_name_cannot_write_through_a_symlink(tmp_path: Path, unpack: Unpack) -> None:
    outside = tmp_path / "outside.txt"
    tree = tmp_path / "evil-tree"
    tree.mkdir()
    os.symlink(str(outside), tree / "a")
    (tree / "c").write_bytes(b"overwritten\n")
    image = tmp_path / "evil.ext2"
    build.run("mkfs.ext2", "-q", "-d", tree, image, "1M")
    data = bytearray(image.read_bytes())
    entry = data.find(b"\x01\x01c")  # name_len 1, regular file, name "c"
    data[entry + 2] = ord("a")
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert not outside.exists()
    assert paths_under(result, "evil.ext2") == {"/a": f"symlink:{outside}"}
    assert _problems(result) == [("duplicate-member", "a")]


# -- ISO 9660 ------------------------------------------------------------------------------------


def test_iso_rock_ridge_names_modes_and_links(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.iso(tmp_path, tmp_path / "cd.iso", "-R", "-J"))
    assert paths_under(result, "cd.iso") == build.fs_expected()
    _assert_setuid_kept(result, "cd.iso")
    metadata = dict(_artifact(result, "cd.iso").metadata)
    assert _artifact(result, "cd.iso").format == "iso9660"
    assert metadata["names"] == "rock ridge"
    assert metadata["volume_id"] == "VENDOR_FW"


def test_iso_joliet_names_without_rock_ridge(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.iso(tmp_path, tmp_path / "cd.iso", "-J"))
    assert paths_under(result, "cd.iso") == build.fs_expected(symlink=False)


def test_iso_plain_names_lose_version_suffix(tmp_path: Path, unpack: Unpack) -> None:
    result = unpack(build.iso(tmp_path, tmp_path / "cd.iso"))
    names = set(paths_under(result, "cd.iso"))
    assert "/ETC/PASSWD" in names
    assert not any(";" in name for name in names)


def test_iso_carved_at_odd_offset(tmp_path: Path, unpack: Unpack) -> None:
    blob = build.iso(tmp_path, tmp_path / "cd.iso", "-R").read_bytes()
    result = unpack(_raw_image(tmp_path, blob, 99))
    assert paths_under(result, "firmware.bin")["iso9660@0x63"] == sha256(blob)
    assert paths_under(result, "firmware.bin", "iso9660@0x63") == build.fs_expected()


# -- Android sparse ------------------------------------------------------------------------------


def test_android_sparse_reaches_the_ext4_inside(tmp_path: Path, unpack: Unpack) -> None:
    sparse, raw = build.android_sparse(tmp_path, tmp_path / "system.img")
    result = unpack(sparse)
    assert _artifact(result, "system.img").format == "android-sparse"
    assert paths_under(result, "system.img") == {"/system.raw": sha256(raw.read_bytes())}
    assert paths_under(result, "system.img", "/system.raw") == build.fs_expected()
    _assert_setuid_kept(result, "system.img", "/system.raw")
    assert not result.problems


def test_android_sparse_carved_at_odd_offset(tmp_path: Path, unpack: Unpack) -> None:
    sparse, raw = build.android_sparse(tmp_path, tmp_path / "system.img")
    result = unpack(_raw_image(tmp_path, sparse.read_bytes(), 3))
    inner = ("firmware.bin", "android-sparse@0x3")
    assert paths_under(result, *inner) == {"/0x3.raw": sha256(raw.read_bytes())}
    assert paths_under(result, *inner, "/0x3.raw") == build.fs_expected()


def test_truncated_android_sparse_keeps_what_it_has(tmp_path: Path, unpack: Unpack) -> None:
    sparse, _ = build.android_sparse(tmp_path, tmp_path / "system.img")
    data = sparse.read_bytes()
    image = tmp_path / "cut.img"
    image.write_bytes(data[: len(data) // 2])
    result = unpack(image)
    assert "/cut.raw" in paths_under(result, "cut.img")
    assert any(p.message.startswith("sparse image is cut short") for p in result.problems)
