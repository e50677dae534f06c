"""The metadata catalogers: package databases, language manifests, embedded build info, kernel
modules and OS release files — exact products, versions and package URLs, which package owns
which file, and malformed input recorded as problems, never a crash."""

import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from assay.catalog.base import CatalogContext, Cataloger
from assay.catalog.metadata import dpkg as dpkg_module
from assay.catalog.metadata import rpmheader as rh
from assay.catalog.metadata.apk import ApkCataloger
from assay.catalog.metadata.dpkg import DpkgCataloger
from assay.catalog.metadata.golang import GoCataloger
from assay.catalog.metadata.kernel import KernelCataloger
from assay.catalog.metadata.node import NodeCataloger
from assay.catalog.metadata.opkg import OpkgCataloger
from assay.catalog.metadata.os_release import OsReleaseCataloger, cpe23
from assay.catalog.metadata.products import product_table, upstream_version
from assay.catalog.metadata.python import PythonCataloger
from assay.catalog.metadata.rpm import RpmCataloger
from assay.catalog.metadata.rust import RustCataloger
from assay.inventory.index import FileIndex
from assay.model.component import Component, Confidence
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.plugins import BUILTIN_CATALOGERS, catalogers
from tests.conftest import Unpack
from tests.factories import metadata as fx

ROOT = Path(__file__).parents[2]
DEB = "arch=amd64&distro=debian-12"


def evaluate(tree: Path, *chosen: Cataloger) -> Evaluation:
    return Evaluator(ScanOptions(catalogers=chosen)).evaluate(tree)


def triples(evaluation: Evaluation) -> set[tuple[str, str, str | None]]:
    return {(c.product, c.version, c.purl) for c in evaluation.components}


def component(evaluation: Evaluation, product: str, version: str) -> Component:
    return next(c for c in evaluation.components if (c.product, c.version) == (product, version))


def owned(found: Component) -> dict[str, str]:
    """In-container path of each file the component's package owns → the record saying so."""
    return {
        e.location.split(" › ")[-1]: e.record or ""
        for e in found.evidence
        if e.method == "package-file"
    }


def problems(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    return [
        (p.kind, p.message, p.location.split(" › ")[-1])
        for p in evaluation.problems
        if p.stage == "identify"
    ]


# dpkg


def test_dpkg_status_products_versions_and_purls(tmp_path: Path) -> None:
    evaluation = evaluate(fx.debian_rootfs(tmp_path / "debian"), DpkgCataloger())
    assert triples(evaluation) == {
        ("openssl", "3.0.11-1~deb12u2", f"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?{DEB}"),
        ("zlib", "1:1.2.13.dfsg-1", f"pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?{DEB}"),
        ("vendor-agent", "2.0-1+b1", f"pkg:deb/debian/vendor-agent@2.0-1%2Bb1?{DEB}"),
    }
    openssl = component(evaluation, "openssl", "3.0.11-1~deb12u2")
    assert openssl.name == "libssl3"
    assert openssl.cpes == ("cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*",)
    assert openssl.supplier == "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>"
    assert (openssl.found_by, openssl.confidence, openssl.ecosystem) == (
        ("dpkg",),
        Confidence.HIGH,
        "deb",
    )
    records = {e.record for e in openssl.evidence if e.method == "package-db"}
    assert records == {
        "var/lib/dpkg/status: Package: libssl3",
        "var/lib/dpkg/status: Package: openssl",
    }
    zlib_cpes = component(evaluation, "zlib", "1:1.2.13.dfsg-1").cpes
    assert zlib_cpes == ("cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*",)
    assert component(evaluation, "vendor-agent", "2.0-1+b1").cpes == ()


def test_dpkg_file_ownership_from_list_and_md5sums(tmp_path: Path) -> None:
    evaluation = evaluate(fx.debian_rootfs(tmp_path / "debian"), DpkgCataloger())
    info = "var/lib/dpkg/info"
    assert owned(component(evaluation, "openssl", "3.0.11-1~deb12u2")) == {
        "/usr/lib/x86_64-linux-gnu/libssl.so.3": (
            f"{info}/libssl3:amd64.list: /usr/lib/x86_64-linux-gnu/libssl.so.3"
        ),
        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3": (
            f"{info}/libssl3:amd64.list: /usr/lib/x86_64-linux-gnu/libcrypto.so.3"
        ),
        "/usr/bin/openssl": f"{info}/openssl.list: /usr/bin/openssl",
    }
    assert set(owned(component(evaluation, "zlib", "1:1.2.13.dfsg-1"))) == {
        "/lib/x86_64-linux-gnu/libz.so.1.2.13"
    }
    by_id = {a.id: a.path for a in evaluation.artifacts}
    files = component(evaluation, "openssl", "3.0.11-1~deb12u2").evidence
    assert {by_id[e.artifact] for e in files if e.method == "package-file"} == {
        "/usr/lib/x86_64-linux-gnu/libssl.so.3",
        "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "/usr/bin/openssl",
    }


def test_dpkg_removed_packages_skipped_and_broken_paragraph_recorded(tmp_path: Path) -> None:
    evaluation = evaluate(fx.debian_rootfs(tmp_path / "debian"), DpkgCataloger())
    assert "telnetd" not in {c.name for c in evaluation.components}
    assert problems(evaluation) == [
        ("corrupt", "paragraph 6 has no Package or Version field", "/var/lib/dpkg/status")
    ]


def test_dpkg_distroless_status_d_in_a_tar_with_a_top_folder(
    tmp_path: Path, unpack: Unpack
) -> None:
    result = unpack(fx.distroless_tar(tmp_path))
    index = FileIndex(result.artifacts, result.disk)
    ctx = CatalogContext()
    observations = DpkgCataloger().catalog(index, ctx)
    assert {(o.product, o.version, o.purl) for o in observations} == {
        ("base-files", "12.4+deb12u5", f"pkg:deb/debian/base-files@12.4%2Bdeb12u5?{DEB}"),
        (
            "openssl",
            "3.0.15-1~deb12u1",
            "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=arm64&distro=debian-12",
        ),
    }
    files = {o.evidence.location.split(" › ")[-1] for o in observations if o.name == "base-files"}
    assert files == {"/rootfs/var/lib/dpkg/status.d/base-files", "/rootfs/etc/issue"}
    assert ctx.problems == []


def test_dpkg_database_over_the_read_bound_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dpkg_module, "MAX_DATABASE_MIB", 1)
    filler = "".join(
        f"Package: filler{i}\nVersion: 1.0-{i}\nStatus: install ok installed\n\n"
        for i in range(30_000)
    )
    tree = fx.write_tree(tmp_path / "big", {"var/lib/dpkg/status": filler.encode()})
    evaluation = evaluate(tree, DpkgCataloger())
    assert ("filler0", "1.0-0", "pkg:deb/debian/filler0@1.0-0") in triples(evaluation)
    assert len(evaluation.components) < 30_000
    assert [p[0] for p in problems(evaluation)] == ["limit-bytes"]


def test_dpkg_garbage_status_is_no_crash(tmp_path: Path) -> None:
    tree = fx.write_tree(tmp_path / "junk", {"var/lib/dpkg/status": bytes(range(256)) * 64})
    evaluation = evaluate(tree, DpkgCataloger())
    assert evaluation.components == ()
    assert all(p[0] == "corrupt" for p in problems(evaluation))


# opkg


def test_opkg_status_controls_and_lists(tmp_path: Path) -> None:
    evaluation = evaluate(fx.openwrt_rootfs(tmp_path / "owrt", tmp_path / "build"), OpkgCataloger())
    q = "arch=mipsel_24kc&distro=openwrt-23.05.2"
    kernel = "5.15.137-1-4a0c5b9c1e8e5d7f6a1b2c3d4e5f6a7b"
    assert triples(evaluation) == {
        ("openssl", "3.0.13-1", f"pkg:opkg/openwrt/libopenssl3@3.0.13-1?{q}"),
        ("dropbear", "2022.82-6", f"pkg:opkg/openwrt/dropbear@2022.82-6?{q}"),
        ("mbedtls", "2.28.7-2", f"pkg:opkg/openwrt/libmbedtls12@2.28.7-2?{q}"),
        ("uhttpd", "2023-06-25-34a8a74d-2", f"pkg:opkg/openwrt/uhttpd@2023-06-25-34a8a74d-2?{q}"),
        ("linux_kernel", kernel, f"pkg:opkg/openwrt/kernel@{kernel}?{q}"),
    }
    openssl = component(evaluation, "openssl", "3.0.13-1")
    assert openssl.licenses == ("Apache-2.0",)
    assert openssl.cpes == ("cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*",)
    assert owned(openssl) == {
        "/usr/lib/libssl.so.3": "usr/lib/opkg/info/libopenssl3.list: /usr/lib/libssl.so.3",
        "/usr/lib/libcrypto.so.3": "usr/lib/opkg/info/libopenssl3.list: /usr/lib/libcrypto.so.3",
    }
    assert [e.record for e in openssl.evidence if e.method == "package-db"] == [
        "usr/lib/opkg/status: Package: libopenssl3"
    ]
    assert set(owned(component(evaluation, "dropbear", "2022.82-6"))) == {"/usr/sbin/dropbear"}
    assert component(evaluation, "mbedtls", "2.28.7-2").name == "libmbedtls12"
    uhttpd = component(evaluation, "uhttpd", "2023-06-25-34a8a74d-2").evidence
    assert [e.record for e in uhttpd] == ["usr/lib/opkg/info/uhttpd.control: Package: uhttpd"]
    assert problems(evaluation) == []


# apk


def test_apk_installed_database(tmp_path: Path) -> None:
    evaluation = evaluate(fx.alpine_rootfs(tmp_path / "alpine"), ApkCataloger())
    q = "arch=x86_64&distro=alpine-3.18.4"
    assert triples(evaluation) == {
        ("musl", "1.2.4-r2", f"pkg:apk/alpine/musl@1.2.4-r2?{q}"),
        ("openssl", "3.1.4-r5", f"pkg:apk/alpine/libssl3@3.1.4-r5?{q}"),
        ("busybox", "1.36.1-r15", f"pkg:apk/alpine/busybox@1.36.1-r15?{q}"),
    }
    openssl = component(evaluation, "openssl", "3.1.4-r5")
    assert (openssl.name, openssl.licenses) == ("libssl3", ("Apache-2.0",))
    assert openssl.cpes == ("cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*",)
    assert openssl.supplier == "Ariadne Conill <ariadne@dereferenced.org>"
    assert owned(openssl) == {
        "/lib/libssl.so.3": "lib/apk/db/installed: P:libssl3 R:/lib/libssl.so.3"
    }
    assert set(owned(component(evaluation, "busybox", "1.36.1-r15"))) == {"/bin/busybox"}
    assert problems(evaluation) == [
        ("corrupt", "package at line 28 has no P: (name) or V: (version)", "/lib/apk/db/installed")
    ]


# rpm


@pytest.fixture(scope="module")
def rpm_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An rpmdb.sqlite written by rpm itself from two packages built by rpmbuild."""
    if not fx.have("rpmbuild", "rpm"):
        pytest.skip("rpm and rpmbuild are not installed (Debian package rpm)")
    work = tmp_path_factory.mktemp("rpm")
    libs = fx.build_rpm(
        work,
        "openssl-libs",
        "3.0.7",
        "27.el9",
        {"/usr/lib64/libssl.so.3": "ssl", "/usr/lib64/libcrypto.so.3": "crypto"},
        epoch=1,
    )
    bash = fx.build_rpm(work, "bash", "5.1.8", "6.el9_1", {"/usr/bin/bash": "b"}, license="GPLv3+")
    return fx.rpm_sqlite_db(work, [libs, bash])


RPM_EXPECTED = {
    (
        "openssl",
        "1:3.0.7-27.el9",
        "pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=noarch&distro=rocky-9.3&epoch=1"
        "&upstream=openssl-libs-3.0.7-27.el9.src.rpm",
    ),
    (
        "bash",
        "5.1.8-6.el9_1",
        "pkg:rpm/rocky/bash@5.1.8-6.el9_1?arch=noarch&distro=rocky-9.3"
        "&upstream=bash-5.1.8-6.el9_1.src.rpm",
    ),
}


def rocky_tree(root: Path) -> Path:
    files = {
        "etc/os-release": fx.ROCKY_OS_RELEASE,
        "usr/lib64/libssl.so.3": b"ssl",
        "usr/lib64/libcrypto.so.3": b"crypto",
        "usr/bin/bash": b"bash",
    }
    return fx.write_tree(root, files)


def test_rpm_sqlite_database(tmp_path: Path, rpm_db: Path) -> None:
    tree = rocky_tree(tmp_path / "rocky")
    (tree / "var/lib/rpm").mkdir(parents=True)
    shutil.copy(rpm_db, tree / "var/lib/rpm/rpmdb.sqlite")
    evaluation = evaluate(tree, RpmCataloger())
    assert triples(evaluation) == RPM_EXPECTED
    openssl = component(evaluation, "openssl", "1:3.0.7-27.el9")
    assert (openssl.name, openssl.licenses) == ("openssl-libs", ("ASL 2.0",))
    assert openssl.supplier == "Rocky Enterprise Software Foundation"
    assert openssl.cpes == ("cpe:2.3:a:openssl:openssl:3.0.7:*:*:*:*:*:*:*",)
    record = "var/lib/rpm/rpmdb.sqlite: openssl-libs-1:3.0.7-27.el9.noarch"
    assert owned(openssl) == {
        "/usr/lib64/libssl.so.3": f"{record}: file /usr/lib64/libssl.so.3",
        "/usr/lib64/libcrypto.so.3": f"{record}: file /usr/lib64/libcrypto.so.3",
    }
    assert set(owned(component(evaluation, "bash", "5.1.8-6.el9_1"))) == {"/usr/bin/bash"}
    assert problems(evaluation) == []


def test_rpm_sqlite_bad_header_row_is_recorded_and_others_kept(
    tmp_path: Path, rpm_db: Path
) -> None:
    tree = rocky_tree(tmp_path / "rocky")
    database = tree / "usr/lib/sysimage/rpm/rpmdb.sqlite"
    database.parent.mkdir(parents=True)
    shutil.copy(rpm_db, database)
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\x00\x00\x00\x05junk",))
    evaluation = evaluate(tree, RpmCataloger())
    assert triples(evaluation) == RPM_EXPECTED
    [(kind, message, where)] = problems(evaluation)
    assert (kind, where) == ("corrupt", "/usr/lib/sysimage/rpm/rpmdb.sqlite")
    assert message.startswith("header 3: ")


def test_rpm_berkeley_db_read_by_rpm_bdb_ro(tmp_path: Path, rpm_db: Path) -> None:
    if not fx.have("db5.3_load", "rpmdb"):
        pytest.skip("db5.3_load (Debian db5.3-util) is needed to write the Berkeley DB fixture")
    tree = rocky_tree(tmp_path / "rocky")
    fx.rpm_bdb_packages(rpm_db, tree / "var/lib/rpm/Packages")
    evaluation = evaluate(tree, RpmCataloger())
    assert triples(evaluation) == RPM_EXPECTED
    bash = component(evaluation, "bash", "5.1.8-6.el9_1")
    assert owned(bash) == {
        "/usr/bin/bash": "var/lib/rpm/Packages: bash-5.1.8-6.el9_1.noarch: file /usr/bin/bash"
    }
    assert problems(evaluation) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("var/lib/rpm/rpmdb.sqlite", "sqlite rpmdb not readable: file is not a database"),
        ("var/lib/rpm/Packages", "Berkeley DB rpmdb not readable: rpmdb: "),
        ("usr/lib/sysimage/rpm/Packages.db", "ndb rpmdb (Packages.db) not readable"),
    ],
)
def test_rpm_unreadable_databases_are_problems(tmp_path: Path, name: str, message: str) -> None:
    tree = fx.write_tree(tmp_path / "junk", {name: b"not a database at all " * 512})
    evaluation = evaluate(tree, RpmCataloger())
    assert evaluation.components == ()
    [(kind, found, where)] = problems(evaluation)
    assert (kind, where) == ("unreadable", "/" + name)
    assert found.startswith(message)


def test_rpm_header_blobs_parsed_and_malformed_ones_refused() -> None:
    blob = fx.header_blob(
        [
            (rh.TAG_NAME, 6, b"busybox\x00", 1),
            (rh.TAG_VERSION, 6, b"1.36.1\x00", 1),
            (rh.TAG_EPOCH, 4, (2).to_bytes(4, "big"), 1),
            (rh.TAG_DIRINDEXES, 4, bytes.fromhex("0000000000000001"), 2),
            (rh.TAG_BASENAMES, 8, b"busybox\x00udhcpc\x00", 2),
            (rh.TAG_DIRNAMES, 8, b"/bin/\x00/sbin/\x00", 2),
        ]
    )
    header = rh.parse_header(blob)
    assert header.string(rh.TAG_NAME) == "busybox"
    assert header.integers(rh.TAG_EPOCH) == [2]
    assert header.files() == ["/bin/busybox", "/sbin/udhcpc"]
    bad_index = fx.header_blob(
        [
            (rh.TAG_DIRINDEXES, 4, bytes.fromhex("00000007"), 1),
            (rh.TAG_BASENAMES, 8, b"x\x00", 1),
            (rh.TAG_DIRNAMES, 8, b"/\x00", 1),
        ]
    )
    with pytest.raises(rh.HeaderError, match="DIRINDEXES"):
        rh.parse_header(bad_index).files()
    for broken in (b"", blob[:40], b"\x7f\xff\xff\xff" + blob[4:], blob[:8] + b"\x00" * 16):
        with pytest.raises(rh.HeaderError):
            rh.parse_header(broken).strings(rh.TAG_NAME)
    endless = fx.header_blob([(rh.TAG_BASENAMES, 8, b"abc", 1_000_000)])
    with pytest.raises(rh.HeaderError, match="cannot fit"):
        rh.parse_header(endless).strings(rh.TAG_BASENAMES)


# python


def test_python_dist_info_egg_info_and_record(tmp_path: Path) -> None:
    evaluation = evaluate(fx.write_tree(tmp_path / "py", fx.PYTHON_FILES), PythonCataloger())
    assert triples(evaluation) == {
        ("pypi:requests", "2.31.0", "pkg:pypi/requests@2.31.0"),
        ("pypi:pyyaml", "6.0.1", "pkg:pypi/pyyaml@6.0.1"),
        ("pypi:six", "1.16.0", "pkg:pypi/six@1.16.0"),
    }
    requests = component(evaluation, "pypi:requests", "2.31.0")
    assert (requests.name, requests.licenses, requests.ecosystem) == (
        "requests",
        ("Apache 2.0",),
        "pypi",
    )
    site = "/usr/lib/python3/dist-packages"
    assert set(owned(requests)) == {
        f"{site}/requests/__init__.py",
        f"{site}/requests/api.py",
        f"{site}/requests-2.31.0.dist-info/METADATA",
        "/usr/bin/requests-cli",
    }
    assert set(owned(component(evaluation, "pypi:pyyaml", "6.0.1"))) == {f"{site}/yaml/__init__.py"}
    assert component(evaluation, "pypi:six", "1.16.0").licenses == ("Apache Software License",)
    assert problems(evaluation) == [
        ("corrupt", "no Name or Version field", f"{site}/broken-1.0.dist-info/METADATA")
    ]


# node


def test_node_modules_and_package_lock(tmp_path: Path) -> None:
    evaluation = evaluate(fx.write_tree(tmp_path / "node", fx.NODE_FILES), NodeCataloger())
    assert triples(evaluation) == {
        ("npm:lodash", "4.17.20", "pkg:npm/lodash@4.17.20"),
        ("npm:@babel/core", "7.23.0", "pkg:npm/%40babel/core@7.23.0"),
        ("npm:debug", "2.6.9", "pkg:npm/debug@2.6.9"),
    }
    lodash = component(evaluation, "npm:lodash", "4.17.20")
    assert sorted(e.record or "" for e in lodash.evidence) == [
        "opt/ui/node_modules/lodash/package.json: name lodash",
        "opt/ui/package-lock.json: node_modules/lodash",
    ]
    assert component(evaluation, "npm:@babel/core", "7.23.0").licenses == ("MIT",)
    [(kind, message, where)] = problems(evaluation)
    assert (kind, where) == ("corrupt", "/opt/ui/node_modules/broken/package.json")
    assert message.startswith("not valid JSON")


def test_node_lockfile_v1_dependencies(tmp_path: Path) -> None:
    lock = b'{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "dependencies":'
    lock += b' {"b": {"version": "2.0.0"}}}, "c": {"version": "file:../c"}}}'
    tree = fx.write_tree(tmp_path / "v1", {"app/package-lock.json": lock})
    assert triples(evaluate(tree, NodeCataloger())) == {
        ("npm:a", "1.0.0", "pkg:npm/a@1.0.0"),
        ("npm:b", "2.0.0", "pkg:npm/b@2.0.0"),
    }


def test_node_hostile_json_is_a_problem(tmp_path: Path) -> None:
    deep = b'{"lockfileVersion": 1, "dependencies": ' + b'{"a": {"dependencies": ' * 5000
    files = {"app/package-lock.json": deep, "app/node_modules/x/package.json": b"[1, 2]"}
    evaluation = evaluate(fx.write_tree(tmp_path / "hostile", files), NodeCataloger())
    assert evaluation.components == ()
    assert sorted((p[0], p[1][:18], p[2]) for p in problems(evaluation)) == [
        ("corrupt", "not a JSON object", "/app/node_modules/x/package.json"),
        ("corrupt", "not valid JSON: ma", "/app/package-lock.json"),
    ]


# go


def test_go_build_info_inline_and_pointer_formats(tmp_path: Path) -> None:
    tree = tmp_path / "bins"
    fx.go_binary_inline(tmp_path / "build", tree / "usr/bin/agent")
    fx.go_binary_pointers(tmp_path / "build", tree / "usr/bin/agent-old")
    shutil.copy(tree / "usr/bin/agent", tree / "usr/bin/agent-copy")
    evaluation = evaluate(tree, GoCataloger())
    assert triples(evaluation) == {
        ("golang", "1.21.5", "pkg:golang/stdlib@1.21.5"),
        ("golang", "1.16.15", "pkg:golang/stdlib@1.16.15"),
        ("golang:github.com/vendor/agent", "v1.4.2", "pkg:golang/github.com/vendor/agent@v1.4.2"),
        ("golang:github.com/gin-gonic/gin", "v1.9.1", "pkg:golang/github.com/gin-gonic/gin@v1.9.1"),
        ("golang:golang.org/x/crypto", "v0.17.0", "pkg:golang/golang.org/x/crypto@v0.17.0"),
    }
    go = component(evaluation, "golang", "1.21.5")
    assert go.cpes == ("cpe:2.3:a:golang:go:1.21.5:*:*:*:*:*:*:*",)
    assert {e.location.split(" › ")[-1] for e in go.evidence} == {
        "/usr/bin/agent",
        "/usr/bin/agent-copy",
    }
    gin = component(evaluation, "golang:github.com/gin-gonic/gin", "v1.9.1")
    assert {e.location.split(" › ")[-1] for e in gin.evidence} == {
        "/usr/bin/agent",
        "/usr/bin/agent-copy",
        "/usr/bin/agent-old",
    }
    assert all(e.embedded and e.method == "go-buildinfo" for e in gin.evidence)
    main = component(evaluation, "golang:github.com/vendor/agent", "v1.4.2")
    assert not any(e.embedded for e in main.evidence)
    assert problems(evaluation) == []


def test_go_malformed_build_info_is_no_crash(tmp_path: Path) -> None:
    tree = tmp_path / "bins"
    fx.go_binary_inline(tmp_path / "build", tree / "usr/bin/agent")
    data = (tree / "usr/bin/agent").read_bytes()
    at = data.index(b"\xff Go buildinf:")
    bogus = data[: at + 32] + b"\xff" * 12 + data[at + 44 :]
    (tree / "usr/bin/bogus").write_bytes(bogus)
    (tree / "usr/bin/cut").write_bytes(data[:64] + b"\x00" * 64 + b"\xff Go buildinf:" + bytes(32))
    (tree / "usr/bin/agent").unlink()
    evaluation = evaluate(tree, GoCataloger())
    assert evaluation.components == ()
    assert [(p[0], p[2]) for p in problems(evaluation)] == [("corrupt", "/usr/bin/cut")]


# rust


def test_rust_cargo_auditable_section(tmp_path: Path) -> None:
    tree = tmp_path / "bins"
    fx.rust_binary(tmp_path / "build", tree / "usr/bin/daemon")
    evaluation = evaluate(tree, RustCataloger())
    assert triples(evaluation) == {
        ("cargo:vendor-daemon", "0.3.0", "pkg:cargo/vendor-daemon@0.3.0"),
        ("cargo:serde", "1.0.193", "pkg:cargo/serde@1.0.193"),
        ("cargo:tokio", "1.35.0", "pkg:cargo/tokio@1.35.0"),
    }
    serde = component(evaluation, "cargo:serde", "1.0.193")
    assert [(e.method, e.record, e.embedded) for e in serde.evidence] == [
        ("cargo-auditable", ".dep-v0: serde 1.0.193", True)
    ]
    assert problems(evaluation) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not zlib at all", "cargo-auditable data not readable: not zlib data"),
        (zlib.compress(b"[1, 2"), "cargo-auditable data not readable: not valid JSON"),
        (zlib.compress(b'{"packages": 3}'), "cargo-auditable data not readable: no `packages`"),
        (
            zlib.compress(b" " * (65 * 1024 * 1024), 9),
            "cargo-auditable data not readable: inflates",
        ),
    ],
)
def test_rust_malformed_sections_are_problems(tmp_path: Path, raw: bytes, message: str) -> None:
    tree = tmp_path / "bins"
    fx.rust_binary(tmp_path / "build", tree / "usr/bin/daemon", raw=raw)
    evaluation = evaluate(tree, RustCataloger())
    assert evaluation.components == ()
    [(kind, found, where)] = problems(evaluation)
    assert (kind, where) == ("corrupt", "/usr/bin/daemon")
    assert found.startswith(message)


# kernel


def test_kernel_release_from_module_directory_and_vermagic(tmp_path: Path) -> None:
    tree = fx.openwrt_rootfs(tmp_path / "owrt", tmp_path / "build")
    fx.write_tree(tree, {"lib/modules/6.1.0-13-amd64/kernel/fs/x.ko.xz.note": b"x"})
    evaluation = evaluate(tree, KernelCataloger())
    assert triples(evaluation) == {
        ("linux_kernel", "5.15.137", None),
        ("linux_kernel", "6.1.0-13-amd64", None),
    }
    kernel = component(evaluation, "linux_kernel", "5.15.137")
    assert kernel.cpes == ("cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*",)
    assert sorted((e.method, e.location.split(" › ")[-1], e.matched) for e in kernel.evidence) == [
        ("module-directory", "/lib/modules/5.15.137/modules.dep", "5.15.137"),
        (
            "module-vermagic",
            "/lib/modules/5.15.137/foo.ko",
            "vermagic=5.15.137 SMP mod_unload MIPS32_R2",
        ),
    ]
    debian = component(evaluation, "linux_kernel", "6.1.0-13-amd64")
    assert debian.cpes == ("cpe:2.3:o:linux:linux_kernel:6.1.0:*:*:*:*:*:*:*",)


def test_kernel_ignores_non_release_directories(tmp_path: Path) -> None:
    tree = fx.write_tree(tmp_path / "t", {"lib/modules/extra/readme": b"x", "lib/modules/x": b"y"})
    assert evaluate(tree, KernelCataloger()).components == ()


# os-release


def test_os_release_files(tmp_path: Path) -> None:
    owrt = evaluate(fx.openwrt_rootfs(tmp_path / "owrt", tmp_path / "build"), OsReleaseCataloger())
    assert triples(owrt) == {("openwrt", "23.05.2", None)}
    found = owrt.components[0]
    assert found.cpes == ("cpe:2.3:o:openwrt:openwrt:23.05.2:*:*:*:*:*:*:*",)
    assert sorted(e.record or "" for e in found.evidence) == [
        "etc/openwrt_release: DISTRIB_ID=OpenWrt DISTRIB_RELEASE=23.05.2",
        "usr/lib/os-release: ID=openwrt VERSION_ID=23.05.2",
    ]
    rocky = evaluate(
        fx.write_tree(tmp_path / "r", {"etc/os-release": fx.ROCKY_OS_RELEASE}), OsReleaseCataloger()
    )
    assert triples(rocky) == {("rocky", "9.3", None)}
    assert (rocky.components[0].name, rocky.components[0].cpes) == (
        "Rocky Linux",
        ("cpe:2.3:o:rocky:rocky:9:*:baseos:*:*:*:*:*",),
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cpe:/o:debian:debian_linux:12", "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*"),
        (
            "cpe:/o:redhat:enterprise_linux:9::baseos",
            "cpe:2.3:o:redhat:enterprise_linux:9:*:baseos:*:*:*:*:*",
        ),
        (
            "cpe:/a:vendor:prod%21uct:1.0:-:~~ios~~~",
            "cpe:2.3:a:vendor:prod\\!uct:1.0:-:*:*:ios:*:*:*",
        ),
        (
            "cpe:2.3:o:fedoraproject:fedora:39:*:*:*:*:*:*:*",
            "cpe:2.3:o:fedoraproject:fedora:39:*:*:*:*:*:*:*",
        ),
        ("not a cpe", None),
        ("cpe:/", None),
    ],
)
def test_cpe_names_as_cpe23(name: str, expected: str | None) -> None:
    assert cpe23(name) == expected


# products and registration


@pytest.mark.parametrize(
    ("ecosystem", "version", "upstream"),
    [
        ("deb", "1:1.2.13.dfsg-1+b1", "1.2.13"),
        ("deb", "3.0.11-1~deb12u2", "3.0.11"),
        ("deb", "2.1+really2.0.3-1", "2.0.3"),
        ("deb", "1.36", "1.36"),
        ("apk", "9.6_p1-r0", "9.6p1"),
        ("opkg", "3.0.13-1", "3.0.13"),
        ("opkg", "5.15.137-1-4a0c5b9c1e8e5d7f6a1b2c3d4e5f6a7b", "5.15.137"),
        ("opkg", "2023-06-25-34a8a74d-2", "2023-06-25-34a8a74d"),
        ("rpm", "1:3.0.7-27.el9", "3.0.7"),
    ],
)
def test_upstream_versions(ecosystem: str, version: str, upstream: str) -> None:
    assert upstream_version(ecosystem, version) == upstream


def test_product_table_names_and_cpes() -> None:
    table = product_table()
    assert table.product("gnutls28", "libgnutls30") == "gnutls"
    assert table.product(None, "wpasupplicant") == "wpa_supplicant"
    assert table.product("wpa", "hostapd") == "hostapd"
    assert table.product("python3.11", "python3.11-minimal") == "python"
    assert table.product("linux-pam", "linux-pam") is None
    assert table.product("linux-signed-amd64", "linux-image-6.1.0-13-amd64") == "linux_kernel"
    assert table.product("linux", "linux-libc-dev") is None
    assert table.product("python3-requests") is None
    assert table.product_for_cpe("cpe:/a:thekelleys:dnsmasq") == "dnsmasq"


def test_product_keys_are_the_vulnerability_data_keys() -> None:
    manifest = ROOT.parent / "shared" / "vulndata" / "manifest.json"
    if not manifest.is_file():
        manifest = Path("/work/shared/vulndata/manifest.json")
    if not manifest.is_file():
        pytest.skip("the vulnerability data is not beside the repository")
    import json

    products = json.loads(manifest.read_text())["products"]
    table = product_table()
    assert set(table.cpes) == set(products)
    assert {p: [k for k, v in table.nvd.items() if v == p] for p in products} == products


def test_metadata_catalogers_are_registered_with_unique_names() -> None:
    names = [c.name for c in catalogers()]
    assert len(names) == len(set(names))
    for cls in (
        DpkgCataloger,
        OpkgCataloger,
        ApkCataloger,
        RpmCataloger,
        PythonCataloger,
        NodeCataloger,
        GoCataloger,
        RustCataloger,
        KernelCataloger,
        OsReleaseCataloger,
    ):
        assert cls in BUILTIN_CATALOGERS


def test_all_builtin_catalogers_over_a_debian_root(tmp_path: Path) -> None:
    evaluation = Evaluator(ScanOptions()).evaluate(fx.debian_rootfs(tmp_path / "debian"))
    found = {(c.product, c.version): c.found_by for c in evaluation.components}
    assert found[("openssl", "3.0.11-1~deb12u2")] == ("dpkg",)
    assert found[("debian", "12")] == ("os-release",)
    assert [s.status for s in evaluation.stages if s.name == "identify"] == ["ok"]
