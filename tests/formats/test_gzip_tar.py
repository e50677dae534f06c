"""gzip and tar: whole files, compressed tars, carving and truncation."""

import gzip
import io
import os
import tarfile
from pathlib import Path

from tests.conftest import Unpack, paths_under
from tests.factories.files import SAMPLE_FILES, expected_hashes, make_tree, sha256


def _tar_bytes(root: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name in sorted(SAMPLE_FILES):
            archive.add(root / name, arcname=name)
    return buffer.getvalue()


def test_tar_recovers_every_file(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = tmp_path / "rootfs.tar"
    image.write_bytes(_tar_bytes(tree))
    result = unpack(image)
    assert paths_under(result, "rootfs.tar") == expected_hashes()
    assert result.artifacts[0].format == "tar"
    assert not result.problems


def test_tar_gz_is_decompressed_then_unpacked(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    image = tmp_path / "rootfs.tar.gz"
    image.write_bytes(gzip.compress(_tar_bytes(tree), mtime=0))
    result = unpack(image)
    assert paths_under(result, "rootfs.tar.gz") == {"/rootfs.tar": sha256(_tar_bytes(tree))}
    assert paths_under(result, "rootfs.tar.gz", "/rootfs.tar") == expected_hashes()
    container = next(a for a in result.artifacts if a.chain == ("rootfs.tar.gz",))
    assert container.format == "gzip"


def test_gzip_stored_name_is_used(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "blob.bin"
    with open(image, "wb") as raw, gzip.GzipFile("kernel.img", "wb", fileobj=raw, mtime=0) as gz:
        gz.write(b"kernel" * 1000)
    result = unpack(image)
    assert paths_under(result, "blob.bin") == {"/kernel.img": sha256(b"kernel" * 1000)}


def test_tar_carved_from_raw_image(tmp_path: Path, unpack: Unpack) -> None:
    tree = make_tree(tmp_path / "tree")
    blob = gzip.compress(_tar_bytes(tree), mtime=0)
    image = tmp_path / "firmware.bin"
    image.write_bytes(os.urandom(777) + blob + b"\xff" * 4096)
    result = unpack(image)
    carved = [a for a in result.artifacts if a.chain[:2] == ("firmware.bin", "gzip@0x309")]
    assert carved, [a.location for a in result.artifacts]
    inner = ("firmware.bin", "gzip@0x309")
    tar_name = next(iter(paths_under(result, *inner)))
    assert paths_under(result, *inner, tar_name) == expected_hashes()


def test_truncated_gzip_is_a_problem_and_keeps_partial_output(
    tmp_path: Path, unpack: Unpack
) -> None:
    data = os.urandom(200_000)
    image = tmp_path / "cut.gz"
    image.write_bytes(gzip.compress(data, mtime=0)[:100_000])
    result = unpack(image)
    assert [p.kind.value for p in result.problems] == ["corrupt"]
    partial = paths_under(result, "cut.gz")
    assert list(partial) == ["/cut"]


def test_tar_modes_and_links_are_kept(tmp_path: Path, unpack: Unpack) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = 4, 0o4755
        archive.addfile(info, io.BytesIO(b"bbox"))
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, "/bin/busybox"
        archive.addfile(link)
        hard = tarfile.TarInfo("bin/ash")
        hard.type, hard.linkname = tarfile.LNKTYPE, "bin/busybox"
        archive.addfile(hard)
    image = tmp_path / "links.tar"
    image.write_bytes(buffer.getvalue())
    result = unpack(image)
    by_path = {a.path: a for a in result.artifacts if len(a.chain) == 2}
    assert by_path["/bin/busybox"].mode == 0o4755
    assert "setuid" in by_path["/bin/busybox"].flags
    assert by_path["/bin/sh"].link_target == "/bin/busybox"
    assert by_path["/bin/ash"].sha256 == sha256(b"bbox")
    assert by_path["/bin/busybox"].duplicate_of == by_path["/bin/ash"].id
