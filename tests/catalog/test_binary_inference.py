"""Identification beyond one file's version text: versions from library file names, from the
identified files beside a product's other files, references to a linked library that are not
copies of it, and Python packages installed without their metadata."""

import shutil
from pathlib import Path

import pytest

from assay.model.component import Component, Confidence
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from tests.factories.c_programs import compiled

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def scan(root: Path) -> Evaluation:
    return Evaluator(ScanOptions()).evaluate(root)


def located(evaluation: Evaluation, product: str) -> dict[str, tuple[str, str, Confidence]]:
    """Path → (version, method, confidence) of every file evidence of `product`."""
    paths = {a.id: a.path for a in evaluation.artifacts}
    found = {}
    for component in evaluation.components:
        if component.product != product:
            continue
        for evidence in component.evidence:
            found[paths[evidence.artifact]] = (
                component.version,
                evidence.method,
                _confidence(component, evidence.method),
            )
    return found


def _confidence(component: Component, method: str) -> Confidence:
    return Confidence.LOW if method in ("sibling", "file-name") else component.confidence


def test_product_files_without_version_text_take_the_nearest_identified_version(
    tmp_path: Path,
) -> None:
    root = tmp_path / "rootfs"
    compiled(root / "usr/sbin/sshd", (b"OpenSSH_9.2p1 Debian-2",))
    compiled(root / "usr/bin/scp")
    compiled(root / "usr/bin/ssh-keygen")
    compiled(root / "opt/vendor/tools/ssh-helper")
    found = located(scan(root), "openssh")
    assert found["/usr/sbin/sshd"][:2] == ("9.2p1", "version-string")
    assert found["/usr/bin/scp"] == ("9.2p1", "sibling", Confidence.LOW)
    assert found["/usr/bin/ssh-keygen"][:2] == ("9.2p1", "sibling")
    assert "/opt/vendor/tools/ssh-helper" not in found


def test_two_versions_equally_near_give_no_inference(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    compiled(root / "usr/sbin/sshd", (b"OpenSSH_9.2p1 Debian-2",))
    compiled(root / "usr/sbin/ssh", (b"OpenSSH_8.4p1 Debian-5",))
    compiled(root / "usr/sbin/scp")
    assert "/usr/sbin/scp" not in located(scan(root), "openssh")


def test_library_file_names_that_follow_the_release_give_the_version(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    compiled(root / "usr/lib/liblzma.so.5.4.1", shared=True, soname="liblzma.so.5")
    compiled(root / "usr/lib/libgrpc_plugin_support.so.1.51.1", shared=True)
    compiled(root / "usr/lib/libgrpc.so.29.0.0", shared=True)
    evaluation = scan(root)
    assert located(evaluation, "xz")["/usr/lib/liblzma.so.5.4.1"] == (
        "5.4.1",
        "file-name",
        Confidence.LOW,
    )
    grpc = located(evaluation, "grpc")
    assert grpc["/usr/lib/libgrpc_plugin_support.so.1.51.1"][:2] == ("1.51.1", "file-name")
    assert grpc["/usr/lib/libgrpc.so.29.0.0"][:2] == ("1.51.1", "sibling")


def test_header_text_in_a_program_that_links_the_library_is_not_a_copy(tmp_path: Path) -> None:
    build = tmp_path / "build"
    libcrypto = compiled(
        build / "libcrypto.so.3",
        (b"OpenSSL 3.0.9 30 May 2023", b'OPENSSLDIR: "/usr/lib/ssl"'),
        shared=True,
        soname="libcrypto.so.3",
    )
    root = tmp_path / "rootfs"
    shutil.copy(libcrypto, root.mkdir(parents=True) or root / "libcrypto.so.3")
    quoted = (b"OpenSSL 3.0.9 30 May 2023",)
    compiled(root / "usr/sbin/hostapd", quoted, needed=(libcrypto,))
    compiled(root / "usr/sbin/vendord", quoted)
    found = located(scan(root), "openssl")
    assert found["/libcrypto.so.3"][:2] == ("3.0.9", "version-string")
    assert "/usr/sbin/hostapd" not in found
    assert found["/usr/sbin/vendord"][:2] == ("3.0.9", "version-string")


def test_compiler_note_is_not_a_shipped_runtime(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    compiled(root / "usr/bin/tool", (b"GCC: (GNU) 12.2.0",))
    compiled(root / "usr/lib/libstdc++.so.6.0.30", (b"GCC: (GNU) 12.2.0",), shared=True)
    found = located(scan(root), "gcc")
    assert "/usr/bin/tool" not in found
    assert found["/usr/lib/libstdc++.so.6.0.30"][0] == "12.2.0"


def test_python_package_without_metadata_is_versioned_from_its_source(tmp_path: Path) -> None:
    site = tmp_path / "rootfs/usr/lib/python3.11/site-packages"
    (site / "PIL").mkdir(parents=True)
    (site / "PIL/__init__.py").write_text("from . import _version\n")
    (site / "PIL/_version.py").write_text('# Master version for Pillow\n__version__ = "12.2.0"\n')
    compiled(site / "PIL/_imaging.cpython-311-x86_64-linux-gnu.so", shared=True)
    (site / "PIL/sub").mkdir()
    (site / "PIL/sub/__init__.py").write_text('__version__ = "0.0.1"\n')
    (site / "requests").mkdir()
    (site / "requests/__init__.py").write_text('__version__ = "2.31.0"\n')
    dist = site / "requests-2.31.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n")
    evaluation = scan(tmp_path / "rootfs")
    pillow = located(evaluation, "pypi:pillow")
    prefix = "/usr/lib/python3.11/site-packages/PIL"
    assert pillow[f"{prefix}/_version.py"][:2] == ("12.2.0", "source-version")
    assert pillow[f"{prefix}/_imaging.cpython-311-x86_64-linux-gnu.so"][:2] == (
        "12.2.0",
        "package-file",
    )
    assert not [c for c in evaluation.components if c.product == "pypi:sub"]
    requests = [c for c in evaluation.components if c.product == "pypi:requests"]
    assert [c.found_by for c in requests] == [("python",)]


def test_a_reference_through_another_library_and_the_products_own_program(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    lib = root / "usr/lib"
    libcrypto = compiled(
        lib / "libcrypto.so.3",
        (b"OpenSSL 3.0.9 30 May 2023", b'OPENSSLDIR: "/usr/lib/ssl"'),
        shared=True,
        soname="libcrypto.so.3",
    )
    libisc = compiled(lib / "libisc.so", shared=True, soname="libisc.so", needed=(libcrypto,))
    quoted = (b"OpenSSL 3.0.9 30 May 2023",)
    compiled(lib / "libbind9.so", quoted, shared=True, soname="libbind9.so", needed=(libisc,))
    compiled(root / "usr/bin/openssl", quoted, needed=(libcrypto,))
    compiled(lib / "libssl-8bd944e8.so.3", shared=True)
    found = located(scan(root), "openssl")
    assert "/usr/lib/libbind9.so" not in found
    assert found["/usr/bin/openssl"][:2] == ("3.0.9", "version-string")
    assert found["/usr/lib/libssl-8bd944e8.so.3"][:2] == ("3.0.9", "sibling")


def _library_with_link(root: Path, folder: str, real: str, soname: str, text: bytes) -> Path:
    library = compiled(root / folder / real, (text,), shared=True, soname=soname)
    (root / folder / soname).symlink_to(real)
    return library


JQ_TEXT = b"\x001.7.1\x00jq - commandline JSON processor"
SQLITE_TEXT = b"\x013.40.1\x00\x00SQLite format 3"


def test_files_linked_with_an_identified_file_of_their_product_take_its_version(
    tmp_path: Path,
) -> None:
    root = tmp_path / "rootfs"
    sqlite = _library_with_link(
        root, "opt/vendor/lib", "libsqlite3.so.0.8.6", "libsqlite3.so.0", SQLITE_TEXT
    )
    libjq = compiled(root / "opt/jq/lib/libjq.so.1.0.4", shared=True, soname="libjq.so.1")
    (root / "opt/jq/lib/libjq.so.1").symlink_to("libjq.so.1.0.4")
    compiled(root / "usr/bin/sqlite3", needed=(sqlite,))
    compiled(root / "usr/bin/jq", (JQ_TEXT,), needed=(libjq,))
    sqlite_found = located(scan(root), "sqlite")
    assert sqlite_found["/usr/bin/sqlite3"][:2] == ("3.40.1", "linked")
    jq_found = located(scan(root), "jq")
    assert jq_found["/opt/jq/lib/libjq.so.1.0.4"][:2] == ("1.7.1", "linked")


def test_links_to_files_of_different_versions_give_no_version(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    old = _library_with_link(root, "a/lib", "libsqlite3.so.0.8.6", "libsqlite3.so.0", SQLITE_TEXT)
    _library_with_link(
        root, "b/lib", "libsqlite3.so.0.8.6", "libsqlite3.so.0", SQLITE_TEXT.replace(b"40", b"45")
    )
    compiled(root / "usr/bin/sqlite3", needed=(old,))
    compiled(root / "usr/bin/sqlite3-helper", needed=(old,))  # not named like SQLite's files
    found = located(scan(root), "sqlite")
    assert {found["/a/lib/libsqlite3.so.0.8.6"][0], found["/b/lib/libsqlite3.so.0.8.6"][0]} == {
        "3.40.1",
        "3.45.1",
    }
    assert "/usr/bin/sqlite3" not in found
    assert "/usr/bin/sqlite3-helper" not in found
