"""Container images (`docker save` archives, OCI layouts): the real root filesystem after
applying layers with whiteouts, digest checks, hostile layers."""

import gzip
import json
from pathlib import Path

from assay.extract.unpacker import UnpackResult
from assay.model.problem import ProblemKind, ProblemLevel
from tests.conftest import Unpack, paths_under
from tests.factories.containers import (
    TAG,
    Entry,
    docker_save,
    docker_save_oci,
    expected_rootfs,
    files_tar,
    image_layers,
    multi_platform_layout,
    oci_layout,
    tar_bytes,
    write_layout,
)
from tests.factories.files import SAMPLE_FILES, sha256


def _layers(opaque_first: bool = True) -> list[bytes]:
    return [tar_bytes(entries) for entries in image_layers(opaque_first)]


def _container(result: UnpackResult, name: str) -> dict[str, str]:
    artifact = next(a for a in result.artifacts if a.chain == (name,))
    return dict(artifact.metadata) | {"format": artifact.format or ""}


def _layer_blob(members: dict[str, bytes], position: int) -> str:
    """The layout path of the image's layer at `position`."""
    manifest = next(
        json.loads(data)
        for name, data in members.items()
        if name.startswith("blobs/") and data.startswith(b"{") and b"image.manifest" in data
    )
    return "blobs/" + manifest["layers"][position]["digest"].replace(":", "/")


def _kinds(result: UnpackResult) -> list[tuple[str, str]]:
    return sorted((p.kind.value, p.level.value) for p in result.problems)


def test_docker_save_gives_the_real_root_filesystem(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "router.tar"
    image.write_bytes(docker_save(_layers()))
    result = unpack(image)
    assert paths_under(result, "router.tar") == expected_rootfs()
    assert not result.problems
    facts = _container(result, "router.tar")
    assert facts["format"] == "docker-archive"
    assert facts["tags"] == TAG
    assert facts["architecture"] == "arm64"
    assert facts["os"] == "linux"
    assert facts["layers"] == "3"
    assert facts["config_digest"].startswith("sha256:")


def test_docker_25_save_is_an_oci_layout_with_a_manifest(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "router.tar"
    image.write_bytes(docker_save_oci(_layers()))
    result = unpack(image)
    assert paths_under(result, "router.tar") == expected_rootfs()
    assert not result.problems
    assert _container(result, "router.tar")["tags"] == TAG


def test_oci_layout_directory_with_gzip_layers(tmp_path: Path, unpack: Unpack) -> None:
    layout = write_layout(tmp_path / "router-oci", oci_layout(_layers(False), ["gzip"] * 3))
    result = unpack(layout)
    assert paths_under(result, "router-oci") == expected_rootfs()
    assert not result.problems
    facts = _container(result, "router-oci")
    assert (facts["format"], facts["tags"], facts["layers"]) == ("oci", "1.0", "3")
    assert facts["config_digest"].startswith("sha256:")


def test_oci_layout_tar_with_zstd_layer_and_nested_index(tmp_path: Path, unpack: Unpack) -> None:
    members = oci_layout(_layers(False), ["gzip", "tar", "zstd"], nested=True)
    image = tmp_path / "router-oci.tar"
    image.write_bytes(files_tar(members))
    result = unpack(image)
    assert paths_under(result, "router-oci.tar") == expected_rootfs()
    assert not result.problems
    facts = _container(result, "router-oci.tar")
    assert (facts["format"], facts["architecture"], facts["layers"]) == ("oci", "arm64", "3")


def test_each_platform_image_gets_its_own_folder(tmp_path: Path, unpack: Unpack) -> None:
    layout = write_layout(tmp_path / "multi", multi_platform_layout(_layers()))
    result = unpack(layout)
    expected = expected_rootfs("/1.0_linux-amd64/") | expected_rootfs("/1.0_linux-arm64/")
    assert paths_under(result, "multi") == expected
    facts = _container(result, "multi")
    assert facts["images"] == "2"
    assert facts["1.0_linux-amd64/architecture"] == "amd64"


def test_compressed_docker_save_is_found_inside_gzip(tmp_path: Path, unpack: Unpack) -> None:
    image = tmp_path / "router.tar.gz"
    image.write_bytes(gzip.compress(docker_save(_layers()), mtime=0))
    result = unpack(image)
    assert paths_under(result, "router.tar.gz", "/router.tar") == expected_rootfs()


def test_repeated_layer_linked_by_docker_save_is_applied(tmp_path: Path, unpack: Unpack) -> None:
    base, adding, _ = _layers()
    patch = tar_bytes([Entry("etc/motd", b"patched\n")])
    image = tmp_path / "relinked.tar"
    image.write_bytes(docker_save([base, patch, adding]))
    result = unpack(image)
    found = paths_under(result, "relinked.tar")
    assert found["/etc/motd"] == sha256(b"hello\n")
    assert found["/usr/bin/tool"] == sha256(b"tool v1\n")
    assert not result.problems


def test_hostile_layer_is_contained(tmp_path: Path, unpack: Unpack) -> None:
    hostile = tar_bytes(
        [
            Entry("../../etc/x", b"escaped"),
            Entry("etc", link="/etc"),
            Entry("etc/passwd", b"pwned"),
            Entry("opt/.wh...", b""),
            Entry("ok.txt", b"fine"),
        ]
    )
    image = tmp_path / "hostile.tar"
    image.write_bytes(docker_save([hostile]))
    result = unpack(image)
    assert paths_under(result, "hostile.tar") == {
        "/ok.txt": sha256(b"fine"),
        "/etc": "symlink:/etc",
    }
    kinds = {p.kind for p in result.problems}
    assert {ProblemKind.PATH_ESCAPE, ProblemKind.LINK_IN_PATH, ProblemKind.INVALID_NAME} <= kinds
    assert not [p for p in tmp_path.rglob("*") if p.name == "x"]


def test_hostile_digest_in_index_is_refused(tmp_path: Path, unpack: Unpack) -> None:
    members = oci_layout(_layers(), ["gzip"] * 3)
    index = json.loads(members["index.json"])
    index["manifests"].insert(0, {"mediaType": "x", "digest": "sha256:../../../etc/passwd"})
    members["index.json"] = json.dumps(index).encode()
    result = unpack(write_layout(tmp_path / "layout", members))
    assert paths_under(result, "layout") == expected_rootfs()
    assert _kinds(result) == [("corrupt", "error")]


def test_wrong_blob_digest_is_a_problem_but_the_layer_is_applied(
    tmp_path: Path, unpack: Unpack
) -> None:
    members = oci_layout(_layers(), ["gzip"] * 3)
    tampered = tar_bytes([*image_layers()[1], Entry("usr/bin/backdoor", b"evil")])
    members[_layer_blob(members, 1)] = gzip.compress(tampered, mtime=0)
    result = unpack(write_layout(tmp_path / "layout", members))
    found = paths_under(result, "layout")
    assert found == expected_rootfs() | {"/usr/bin/backdoor": sha256(b"evil")}
    digest_problems = [p for p in result.problems if "does not match" in p.message]
    assert [(p.kind, p.level) for p in digest_problems] == [
        (ProblemKind.CORRUPT, ProblemLevel.WARNING)
    ]
    assert {p.kind for p in result.problems} == {ProblemKind.CORRUPT}


def test_truncated_layer_is_a_problem_and_lower_layers_stay(tmp_path: Path, unpack: Unpack) -> None:
    layers = _layers()
    cut = [*layers[:2], layers[2][: layers[2].index(b"new=2\n") + 3]]
    image = tmp_path / "cut.tar"
    image.write_bytes(docker_save(cut, declared=layers))
    result = unpack(image)
    found = paths_under(result, "cut.tar")
    assert "/usr/bin/tool" in found
    assert "/etc/banner.txt" not in found
    assert "/opt/app/old.conf" not in found
    assert found["/www/index.html"] == sha256(SAMPLE_FILES["www/index.html"])
    assert _kinds(result) == [("corrupt", "error"), ("corrupt", "warning")]


def test_missing_layer_blob_is_a_problem(tmp_path: Path, unpack: Unpack) -> None:
    members = oci_layout(_layers(), ["gzip"] * 3)
    del members[_layer_blob(members, 2)]
    result = unpack(write_layout(tmp_path / "layout", members))
    found = paths_under(result, "layout")
    assert "/etc/banner.txt" in found
    assert "/opt/app/old.conf" in found
    assert _kinds(result) == [("corrupt", "error")]


def test_blob_symlinked_out_of_the_layout_is_not_read(tmp_path: Path, unpack: Unpack) -> None:
    members = oci_layout(_layers(), ["gzip"] * 3)
    layout = write_layout(tmp_path / "layout", members)
    outside = tmp_path / "outside.tar.gz"
    outside.write_bytes(gzip.compress(tar_bytes([Entry("stolen", b"host secret")])))
    third = layout / _layer_blob(members, 2)
    third.unlink()
    third.symlink_to(outside)
    result = unpack(layout)
    found = paths_under(result, "layout")
    assert "/stolen" not in found
    assert "/etc/banner.txt" in found
    assert _kinds(result) == [("corrupt", "error")]
