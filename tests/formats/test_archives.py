"""Archives and packages (zip, 7z, cpio, ar, deb, rpm, ipk): whole files made by the real tools,
carving out of raw images, and corrupt or hostile instances."""

import gzip
import io
import os
import random
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assay.extract.formats.cpio import CpioExtractor
from assay.extract.formats.zip import ZipExtractor
from assay.extract.unpacker import UnpackResult
from tests.conftest import Unpack, paths_under
from tests.factories import archives
from tests.factories.files import SAMPLE_FILES, expected_hashes, make_tree, sha256

FLAT = {"/" + name.rsplit("/", 1)[-1]: sha256(data) for name, data in SAMPLE_FILES.items()}
DATA_NAME = {"gzip": "data.tar.gz", "xz": "data.tar.xz", "zstd": "data.tar.zst"}


def _noise(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def _kinds(result: UnpackResult) -> list[str]:
    return sorted(problem.kind.value for problem in result.problems)


def _container(result: UnpackResult, *chain: str) -> str | None:
    return next(a.format for a in result.artifacts if a.chain == chain)


def _only_child(result: UnpackResult, *chain: str) -> str:
    children = list(paths_under(result, *chain))
    assert len(children) == 1, children
    return children[0]


# -- zip ---------------------------------------------------------------------------------------


def test_zip_recovers_every_file(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "rootfs.zip"
    image.write_bytes(archives.zip_bytes(make_tree(tmp_path / "tree")))
    result = unpack(image)
    assert paths_under(result, "rootfs.zip") == expected_hashes()
    assert _container(result, "rootfs.zip") == "zip"
    assert not result.problems


def test_zip_symlink_is_kept_as_a_link(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "links.zip"
    image.write_bytes(archives.zip_with_symlink())
    result = unpack(image)
    assert paths_under(result, "links.zip") == {
        **expected_hashes(),
        "/bin/sh": "symlink:/usr/sbin/daemon",
    }


def test_zip_made_by_7z(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = archives.zip_by_7z(tree, tmp_path / "by7z.zip")
    result = unpack(image)
    assert paths_under(result, "by7z.zip") == expected_hashes()
    assert not result.problems


def test_zip_backslash_names_are_separators(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "windows.zip"
    image.write_bytes(archives.zip_windows_names())
    assert paths_under(unpack(image), "windows.zip") == expected_hashes()


def test_zip64_end_records_are_followed(tmp_path: Path, unpack: Unpack) -> None:
    blob = archives.zip64(archives.zip_bytes(make_tree(tmp_path / "tree")))
    assert ZipExtractor().measure(b"junk" + blob + b"\x00" * 64, 4) == len(blob)
    image = tmp_path / "firmware.bin"
    image.write_bytes(_noise(333) + blob + b"\xff" * 1000)
    result = unpack(image)
    assert paths_under(result, "firmware.bin", "zip@0x14d") == expected_hashes()


def test_zip_encrypted_member_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = tmp_path / "mixed.zip"
    archives.zip_by_7z(tree, image, "-psecret")
    with zipfile.ZipFile(image, "a") as archive:
        archive.writestr("plain.txt", b"not encrypted\n")
    result = unpack(image)
    assert paths_under(result, "mixed.zip") == {"/plain.txt": sha256(b"not encrypted\n")}
    assert _kinds(result) == ["unreadable"] * len(SAMPLE_FILES)
    assert {p.member for p in result.problems} == set(SAMPLE_FILES)


def test_zip_corrupt_member_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    data = bytearray(archives.zip_bytes(make_tree(tmp_path / "tree")))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("usr/sbin/daemon")
    deflated = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[deflated + 20 : deflated + 40] = bytes(20)
    image = tmp_path / "bad.zip"
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]
    assert result.problems[0].member == "usr/sbin/daemon"
    found = paths_under(result, "bad.zip")
    expected = expected_hashes()
    del expected["/usr/sbin/daemon"]
    assert {k: v for k, v in found.items() if k != "/usr/sbin/daemon"} == expected


def test_zip_without_central_directory_is_recovered(tmp_path: Path, unpack: Unpack) -> None:
    data = archives.zip_bytes(make_tree(tmp_path / "tree"))
    image = tmp_path / "cut.zip"
    image.write_bytes(data[: data.index(b"PK\x01\x02")])
    result = unpack(image)
    assert "corrupt" in _kinds(result)
    assert paths_under(result, "cut.zip") == expected_hashes()


# -- 7z ----------------------------------------------------------------------------------------


def test_7z_recovers_every_file(tmp_path: Path, unpack: Unpack) -> None:
    image = archives.sevenzip(make_tree(tmp_path / "tree"), tmp_path / "rootfs.7z")
    result = unpack(image)
    assert paths_under(result, "rootfs.7z") == expected_hashes()
    assert _container(result, "rootfs.7z") == "7z"
    assert not result.problems


def test_7z_symlinks_keep_targets_and_escapes_are_refused(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    (tree / "bin").mkdir()
    os.symlink("/usr/sbin/daemon", tree / "bin/sh")
    os.symlink("../etc/passwd", tree / "bin/passwd")
    os.symlink("../../../../etc/shadow", tree / "bin/escape")
    image = archives.sevenzip(tree, tmp_path / "links.7z")
    result = unpack(image)
    assert paths_under(result, "links.7z") == {
        **expected_hashes(),
        "/bin/sh": "symlink:/usr/sbin/daemon",
        "/bin/passwd": "symlink:../etc/passwd",
    }
    assert _kinds(result) == ["link-escape"]
    assert result.problems[0].member == "bin/escape"


def test_7z_many_climbing_links_are_all_recovered(tmp_path: Path, unpack: Unpack) -> None:
    tree = tmp_path / "tree"
    (tree / "bin").mkdir(parents=True)
    (tree / "usr/bin").mkdir(parents=True)
    (tree / "bin/busybox").write_bytes(b"busybox")
    applets = [f"applet-with-a-long-name-{number:03d}" for number in range(80)]
    for applet in applets:
        os.symlink("../../bin/busybox", tree / "usr/bin" / applet)
    image = archives.sevenzip(tree, tmp_path / "busybox.7z")
    result = unpack(image)
    assert paths_under(result, "busybox.7z") == {
        "/bin/busybox": sha256(b"busybox"),
        **{f"/usr/bin/{applet}": "symlink:../../bin/busybox" for applet in applets},
    }
    assert not result.problems


def test_7z_damaged_member_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = archives.sevenzip(tree, tmp_path / "bad.7z", "-ms=off", "-m0=copy")
    data = bytearray(image.read_bytes())
    start = data.index(SAMPLE_FILES["usr/sbin/daemon"][:256])
    data[start : start + 16] = b"X" * 16
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]
    found = paths_under(result, "bad.7z")
    assert found["/etc/passwd"] == sha256(SAMPLE_FILES["etc/passwd"])
    assert found.get("/usr/sbin/daemon") != sha256(SAMPLE_FILES["usr/sbin/daemon"])


def test_7z_encrypted_members_are_problems(tmp_path: Path, unpack: Unpack) -> None:
    image = archives.sevenzip(make_tree(tmp_path / "tree"), tmp_path / "enc.7z", "-psecret")
    result = unpack(image)
    assert paths_under(result, "enc.7z") == {}
    assert _kinds(result) == ["unreadable"] * len(SAMPLE_FILES)
    assert {p.member for p in result.problems} == set(SAMPLE_FILES)


def test_7z_truncated_is_corrupt(tmp_path: Path, unpack: Unpack) -> None:
    image = archives.sevenzip(make_tree(tmp_path / "tree"), tmp_path / "cut.7z")
    image.write_bytes(image.read_bytes()[:-40])
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]


# -- cpio --------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["newc", "crc", "odc", "bin"])
def test_cpio_recovers_every_file(tmp_path: Path, unpack: Unpack, header: str) -> None:
    image = tmp_path / "rootfs.cpio"
    image.write_bytes(archives.cpio_archive(make_tree(tmp_path / "tree"), header))
    result = unpack(image)
    assert paths_under(result, "rootfs.cpio") == expected_hashes()
    assert not result.problems
    artifact = next(a for a in result.artifacts if a.chain == ("rootfs.cpio",))
    assert dict(artifact.metadata)["cpio_format"].split()[0] == header


def test_cpio_big_endian_binary(tmp_path: Path, unpack: Unpack) -> None:
    little = archives.cpio_archive(make_tree(tmp_path / "tree"), "bin")
    big = archives.swap_binary_cpio(little)
    assert big[:2] == b"\x71\xc7"
    image = tmp_path / "be.cpio"
    image.write_bytes(big)
    result = unpack(image)
    assert paths_under(result, "be.cpio") == expected_hashes()
    assert CpioExtractor().measure(big, 0) == len(big)


def test_cpio_hard_links_from_gnu_cpio(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    os.link(tree / "usr/sbin/daemon", tree / "usr/sbin/daemon-link")
    image = tmp_path / "links.cpio"
    image.write_bytes(archives.cpio_archive(tree, "newc"))
    result = unpack(image)
    expected = {
        **expected_hashes(),
        "/usr/sbin/daemon-link": sha256(SAMPLE_FILES["usr/sbin/daemon"]),
    }
    assert paths_under(result, "links.cpio") == expected


def test_cpio_links_and_special_files(tmp_path: Path, unpack: Unpack) -> None:
    entries = [
        archives.newc_entry("bin", stat.S_IFDIR | 0o755, ino=1),
        archives.newc_entry("bin/ash", stat.S_IFREG | 0o755, ino=2, nlink=2),
        archives.newc_entry("bin/busybox", stat.S_IFREG | 0o4755, b"bbox", ino=2, nlink=2),
        archives.newc_entry("bin/sh", stat.S_IFLNK | 0o777, b"/bin/busybox", ino=3),
        archives.newc_entry("dev/console", stat.S_IFCHR | 0o600, ino=4, rdev=0x0501),
        archives.newc_entry("dev/initctl", stat.S_IFIFO | 0o600, ino=5),
    ]
    image = tmp_path / "initramfs.cpio"
    image.write_bytes(archives.newc_archive(entries))
    result = unpack(image)
    assert paths_under(result, "initramfs.cpio") == {
        "/bin/ash": sha256(b"bbox"),
        "/bin/busybox": sha256(b"bbox"),
        "/bin/sh": "symlink:/bin/busybox",
    }
    by_path = {a.path: a for a in result.artifacts if len(a.chain) == 2}
    assert by_path["/bin/busybox"].mode == 0o4755
    specials = sorted((p.member, p.message) for p in result.problems)
    assert specials == [
        ("dev/console", "character device 5,1 not created"),
        ("dev/initctl", "FIFO not created"),
    ]


def test_cpio_concatenated_initramfs(tmp_path: Path, unpack: Unpack) -> None:
    microcode = archives.newc_archive(
        [archives.newc_entry("kernel/x86/microcode/GenuineIntel.bin", stat.S_IFREG | 0o644, b"uc")]
    )
    early = microcode + bytes(-len(microcode) % 512)
    main = archives.cpio_archive(make_tree(tmp_path / "tree"), "newc")
    late = archives.newc_archive([archives.newc_entry("late.conf", stat.S_IFREG | 0o644, b"late")])
    image = tmp_path / "initrd.img"
    image.write_bytes(early + main + gzip.compress(late, mtime=0))
    result = unpack(image)
    appended = f"/0x{len(early) + len(main):x}.appended"
    assert paths_under(result, "initrd.img") == {
        "/kernel/x86/microcode/GenuineIntel.bin": sha256(b"uc"),
        **expected_hashes(),
        appended: sha256(gzip.compress(late, mtime=0)),
    }
    inner = _only_child(result, "initrd.img", appended)
    assert paths_under(result, "initrd.img", appended, inner) == {"/late.conf": sha256(b"late")}
    assert not result.problems


def test_cpio_block_padding_is_measured(tmp_path: Path) -> None:
    bare = archives.newc_archive([archives.newc_entry("a", stat.S_IFREG | 0o644, b"x" * 100)])
    extractor = CpioExtractor()
    assert extractor.measure(bare + b"\x00" * 512, 0) == 512
    assert extractor.measure(bare + b"\xff" * 512, 0) == len(bare)
    gnu = archives.cpio_archive(make_tree(tmp_path / "tree"), "newc")
    assert len(gnu) % 512 == 0
    assert extractor.measure(b"\x01" * 3 + gnu + b"\x01", 3) == len(gnu)


def test_cpio_corrupt_header_keeps_earlier_members(tmp_path: Path, unpack: Unpack) -> None:
    data = bytearray(archives.cpio_archive(make_tree(tmp_path / "tree"), "newc"))
    bad = data.index(b"070701", data.index(b"usr/lib\x00"))
    data[bad : bad + 6] = b"GARBGE"
    image = tmp_path / "broken.cpio"
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]
    assert paths_under(result, "broken.cpio") == {
        "/etc/banner.txt": sha256(SAMPLE_FILES["etc/banner.txt"]),
        "/etc/passwd": sha256(SAMPLE_FILES["etc/passwd"]),
    }


def test_cpio_crc_checksum_mismatch_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    data = bytearray(archives.cpio_archive(make_tree(tmp_path / "tree"), "crc"))
    where = data.index(b"root:x")
    data[where] = ord("R")
    image = tmp_path / "crc.cpio"
    image.write_bytes(bytes(data))
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]
    assert result.problems[0].member == "etc/passwd"
    assert len(paths_under(result, "crc.cpio")) == len(SAMPLE_FILES)


# -- ar ----------------------------------------------------------------------------------------


def test_ar_recovers_every_member(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = archives.ar_archive(tree, tmp_path / "lib.a")
    result = unpack(image)
    assert paths_under(result, "lib.a") == {
        **FLAT,
        f"/{archives.LONG_NAME}": sha256(archives.LONG_DATA),
    }
    assert _container(result, "lib.a") == "ar"
    assert not result.problems


def test_ar_bsd_long_names_and_duplicates(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "bsd.a"
    image.write_bytes(
        archives.bsd_ar(
            {"__.SYMDEF SORTED": b"\x00" * 8, "a-rather-long-object-name.o": b"one", "x.o": b"x"}
        )
        + archives.bsd_ar({"x.o": b"second"})[8:]
    )
    result = unpack(image)
    assert paths_under(result, "bsd.a") == {
        "/a-rather-long-object-name.o": sha256(b"one"),
        "/x.o": sha256(b"x"),
        "/x.o.1": sha256(b"second"),
    }
    assert _kinds(result) == ["duplicate-member"]


def test_ar_truncated_keeps_earlier_members(tmp_path: Path, unpack: Unpack) -> None:
    image = archives.ar_archive(make_tree(tmp_path / "tree"), tmp_path / "cut.a")
    data = image.read_bytes()
    image.write_bytes(data[: data.index(SAMPLE_FILES["usr/sbin/daemon"][:512]) + 100])
    result = unpack(image)
    assert _kinds(result) == ["corrupt"]
    found = paths_under(result, "cut.a")
    assert found["/passwd"] == FLAT["/passwd"]
    assert "/daemon" not in found


# -- deb ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("compression", ["gzip", "xz", "zstd"])
def test_deb_reaches_the_files_in_data_tar(
    tmp_path: Path, unpack: Unpack, compression: str
) -> None:
    image = archives.deb_package(tmp_path, tmp_path / "sample.deb", compression)
    result = unpack(image)
    members = paths_under(result, "sample.deb")
    assert {"/debian-binary", f"/{DATA_NAME[compression]}"} <= set(members)
    assert _container(result, "sample.deb") == "deb"
    data_tar = _only_child(result, "sample.deb", f"/{DATA_NAME[compression]}")
    assert (
        paths_under(result, "sample.deb", f"/{DATA_NAME[compression]}", data_tar)
        == expected_hashes()
    )
    artifact = next(a for a in result.artifacts if a.chain == ("sample.deb",))
    assert dict(artifact.metadata) == {
        "architecture": "all",
        "format_version": "2.0",
        "package": "sample",
        "version": "1.2.3-4",
    }
    assert not result.problems


# -- rpm ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", sorted(archives.RPM_PAYLOADS))
def test_rpm_payload_files_are_recovered(tmp_path: Path, unpack: Unpack, payload: str) -> None:
    image = archives.rpm_package(tmp_path, payload)
    result = unpack(image)
    suffix = {"gzip": ".gz", "xz": ".xz", "zstd": ".zst", "bzip2": ".bz2", "lzma": ".lzma"}[payload]
    payload_name = f"/sample-1.2.3-4.noarch.cpio{suffix}"
    assert list(paths_under(result, image.name)) == [payload_name]
    assert _container(result, image.name) == "rpm"
    cpio = _only_child(result, image.name, payload_name)
    assert paths_under(result, image.name, payload_name, cpio) == expected_hashes()
    artifact = next(a for a in result.artifacts if a.chain == (image.name,))
    metadata = dict(artifact.metadata)
    assert (metadata["name"], metadata["version"], metadata["release"]) == ("sample", "1.2.3", "4")
    assert (metadata["arch"], metadata["payload_compressor"]) == ("noarch", payload)
    assert not result.problems


def test_rpm_truncated_payload_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    image = archives.rpm_package(tmp_path, "gzip")
    image.write_bytes(image.read_bytes()[:-200])
    result = unpack(image)
    assert "corrupt" in _kinds(result)
    artifact = next(a for a in result.artifacts if a.chain == (image.name,))
    assert dict(artifact.metadata)["name"] == "sample"


# -- ipk ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["ar", "tar.gz"])
def test_ipk_reaches_the_files_in_data_tar(tmp_path: Path, unpack: Unpack, layout: str) -> None:
    image = tmp_path / "sample_1.2.3-4_all.ipk"
    if layout == "ar":
        archives.ipk_ar(tmp_path, image)
    else:
        archives.ipk_tar_gz(image)
    result = unpack(image)
    assert set(paths_under(result, image.name)) == {
        "/debian-binary",
        "/control.tar.gz",
        "/data.tar.gz",
    }
    assert _container(result, image.name) == "ipk"
    assert paths_under(result, image.name, "/data.tar.gz", "/data.tar") == expected_hashes()
    artifact = next(a for a in result.artifacts if a.chain == (image.name,))
    assert dict(artifact.metadata)["package"] == "sample"
    assert not result.problems


# -- carving -----------------------------------------------------------------------------------

Builder = Callable[[Path], bytes]


def _carved_zip(work: Path) -> bytes:
    return archives.zip_bytes(make_tree(work / "tree"))


def _carved_7z(work: Path) -> bytes:
    return archives.sevenzip(make_tree(work / "tree"), work / "a.7z").read_bytes()


def _carved_cpio(work: Path) -> bytes:
    return archives.cpio_archive(make_tree(work / "tree"), "newc")


def _carved_odc(work: Path) -> bytes:
    return archives.cpio_archive(make_tree(work / "tree"), "odc")


@pytest.mark.parametrize(
    ("builder", "name"),
    [(_carved_zip, "zip"), (_carved_7z, "7z"), (_carved_cpio, "cpio"), (_carved_odc, "cpio")],
)
def test_archive_carved_from_raw_image(
    tmp_path: Path, unpack: Unpack, builder: Builder, name: str
) -> None:
    image = tmp_path / "firmware.bin"
    image.write_bytes(_noise(1001) + builder(tmp_path) + b"\xff" * 4096)
    result = unpack(image)
    assert paths_under(result, "firmware.bin", f"{name}@0x3e9") == expected_hashes()


def test_ar_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    blob = archives.ar_archive(make_tree(tmp_path / "tree"), tmp_path / "lib.a").read_bytes()
    image = tmp_path / "firmware.bin"
    image.write_bytes(_noise(1001) + blob + b"\xff" * 4096)
    result = unpack(image)
    assert paths_under(result, "firmware.bin", "ar@0x3e9") == {
        **FLAT,
        f"/{archives.LONG_NAME}": sha256(archives.LONG_DATA),
    }


def test_packages_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    deb = archives.deb_package(tmp_path, tmp_path / "sample.deb").read_bytes()
    rpm = archives.rpm_package(tmp_path).read_bytes()
    image = tmp_path / "firmware.bin"
    image.write_bytes(_noise(1001) + deb + b"\xff" * 999 + rpm + b"\xff" * 4096)
    result = unpack(image)
    deb_chain = ("firmware.bin", "deb@0x3e9", "/data.tar.gz", "/data.tar")
    assert paths_under(result, *deb_chain) == expected_hashes()
    rpm_at = f"rpm@{1001 + len(deb) + 999:#x}"
    payload = _only_child(result, "firmware.bin", rpm_at)
    cpio = _only_child(result, "firmware.bin", rpm_at, payload)
    assert paths_under(result, "firmware.bin", rpm_at, payload, cpio) == expected_hashes()
