"""Nesting across formats, and directory inputs: the chain of containers is kept exactly."""

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

from tests.conftest import Unpack, paths_under
from tests.factories import filesystems
from tests.factories.files import expected_hashes, make_tree, sha256


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


def test_zip_of_tar_gz_of_squashfs(tmp_path: Path, unpack: Unpack) -> None:
    squashfs = filesystems.squashfs(tmp_path, tmp_path / "rootfs.sqsh", devices=False)
    inner = _tar_gz({"images/rootfs.sqsh": squashfs.read_bytes()})
    image = tmp_path / "release.zip"
    with zipfile.ZipFile(image, "w") as archive:
        archive.writestr("update/payload.tar.gz", inner)
        archive.writestr("update/README.txt", "install me\n")
    result = unpack(image)
    assert not result.problems
    chain = ("release.zip", "/update/payload.tar.gz", "/payload.tar", "/images/rootfs.sqsh")
    assert paths_under(result, *chain) == filesystems.fs_expected()
    deepest = next(a for a in result.artifacts if a.chain == (*chain, "/etc/passwd"))
    assert deepest.location == (
        "release.zip › /update/payload.tar.gz › /payload.tar › /images/rootfs.sqsh › /etc/passwd"
    )
    assert deepest.depth == 4
    formats = {a.chain[-1]: a.format for a in result.artifacts if a.format}
    assert formats == {
        "release.zip": "zip",
        "/update/payload.tar.gz": "gzip",
        "/payload.tar": "tar",
        "/images/rootfs.sqsh": "squashfs",
    }


def test_directory_input_is_walked_and_its_containers_unpacked(
    tmp_path: Path, unpack: Unpack
) -> None:
    release = make_tree(tmp_path / "release")
    bundle = release / "packages" / "bundle.tar.gz"
    bundle.parent.mkdir()
    bundle.write_bytes(_tar_gz({"bin/tool": b"tool v1\n"}))
    result = unpack(release)
    top = paths_under(result, "release")
    assert {k: v for k, v in top.items() if k != "/packages/bundle.tar.gz"} == expected_hashes()
    bundle_chain = ("release", "/packages/bundle.tar.gz", "/bundle.tar")
    assert paths_under(result, *bundle_chain) == {"/bin/tool": sha256(b"tool v1\n")}
    assert not (release / "packages" / "bundle.tar.gz.extracted").exists()
