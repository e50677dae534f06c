"""Builders of archive and package fixtures (zip, 7z, cpio, ar, deb, rpm, ipk), made in the test
run with the real tools (7z, cpio, ar, dpkg-deb, rpmbuild) or the standard library."""

import io
import os
import stat
import struct
import subprocess
import tarfile
import zipfile
from pathlib import Path

from tests.factories.files import SAMPLE_FILES, make_tree

CONTROL = (
    "Package: sample\nVersion: 1.2.3-4\nArchitecture: all\n"
    "Maintainer: Assay Tests <tests@example.invalid>\nDescription: sample package\n"
)
RPM_SPEC = """Name: sample
Version: 1.2.3
Release: 4
Summary: sample package
License: MIT
BuildArch: noarch
%description
sample package
%install
cp -a {tree}/. %{{buildroot}}/
%files
{files}
"""
RPM_PAYLOADS = {
    "gzip": "w9.gzdio",
    "xz": "w6.xzdio",
    "zstd": "w19.zstdio",
    "bzip2": "w9.bzdio",
    "lzma": "w9.lzdio",
}


def _run(argv: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def _top_level() -> list[str]:
    return sorted({name.split("/")[0] for name in SAMPLE_FILES})


# -- zip ---------------------------------------------------------------------------------------


def zip_bytes(root: Path) -> bytes:
    """SAMPLE_FILES deflated by Python's zipfile, with directory entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in sorted({str(Path(name).parent) for name in SAMPLE_FILES}):
            archive.write(root / folder, folder)
        for name in sorted(SAMPLE_FILES):
            archive.write(root / name, name)
    return buffer.getvalue()


def zip_with_symlink() -> bytes:
    """SAMPLE_FILES plus `bin/sh`, a Unix symlink to /usr/sbin/daemon, as Info-ZIP stores it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(SAMPLE_FILES.items()):
            archive.writestr(name, data)
        link = zipfile.ZipInfo("bin/sh")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/usr/sbin/daemon")
    return buffer.getvalue()


def zip_windows_names() -> bytes:
    """SAMPLE_FILES with backslash separators, as old Windows tools wrote them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(SAMPLE_FILES.items()):
            info = zipfile.ZipInfo(name.replace("/", "\\"))
            info.create_system = 0
            archive.writestr(info, data)
    return buffer.getvalue()


def zip64(data: bytes) -> bytes:
    """`data`, a zip archive without comment, with its end record moved into zip64 records."""
    end_at = len(data) - 22
    entries, cd_size, cd_offset = struct.unpack_from("<HII", data, end_at + 10)
    record = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, cd_size, cd_offset
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end_at, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 2**32 - 1, 2**32 - 1, 0)
    return data[:end_at] + record + locator + end


def zip_by_7z(root: Path, out: Path, *extra: str) -> Path:
    """SAMPLE_FILES zipped by 7-Zip's zip writer."""
    _run(["7z", "a", "-tzip", "-bd", *extra, str(out), *_top_level()], cwd=root)
    return out


# -- 7z ----------------------------------------------------------------------------------------


def sevenzip(root: Path, out: Path, *extra: str) -> Path:
    """Every top-level entry of `root` in a 7z archive, symlinks stored as links."""
    entries = sorted(os.listdir(root))
    _run(["7z", "a", "-t7z", "-snl", "-bd", *extra, str(out), *entries], cwd=root)
    return out


# -- cpio --------------------------------------------------------------------------------------


def tree_listing(root: Path) -> list[str]:
    """Every path under `root`, relative, parents first."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def cpio_archive(root: Path, header: str) -> bytes:
    """`root` packed by GNU cpio with `-H header` (newc, crc, odc or bin)."""
    listing = "\n".join(tree_listing(root)).encode() + b"\n"
    return _run(["cpio", "-o", "--quiet", "-H", header], cwd=root, stdin=listing)


def swap_binary_cpio(data: bytes) -> bytes:
    """A little-endian old binary cpio archive rewritten in big-endian byte order."""
    out = bytearray(data)
    position = 0
    while position + 26 <= len(data) and data[position : position + 2] == b"\xc7\x71":
        fields = struct.unpack_from("<13H", data, position)
        struct.pack_into(">13H", out, position, *fields)
        namesize, size = fields[10], fields[11] << 16 | fields[12]
        name_end = position + 26 + namesize
        if data[position + 26 : name_end - 1] == b"TRAILER!!!":
            break
        data_start = name_end + (name_end & 1)
        position = data_start + size + (size & 1)
    return bytes(out)


def newc_entry(
    name: str, mode: int, data: bytes = b"", ino: int = 1, nlink: int = 1, rdev: int = 0
) -> bytes:
    """One member of a newc archive (header, name, data, each padded to 4 bytes)."""
    encoded = name.encode() + b"\x00"
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev >> 8, rdev & 0xFF, len(encoded), 0)
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    named = header + encoded
    named += b"\x00" * (-len(named) % 4)
    return named + data + b"\x00" * (-len(data) % 4)


def newc_archive(entries: list[bytes]) -> bytes:
    """Members followed by the trailer, without block padding."""
    return b"".join(entries) + newc_entry("TRAILER!!!", 0, ino=0)


# -- ar ----------------------------------------------------------------------------------------

LONG_NAME = "a-member-with-a-long-name.bin"
LONG_DATA = b"long name member\n" * 10


def ar_archive(root: Path, out: Path) -> Path:
    """SAMPLE_FILES (flat, as ar keeps base names) and a long-named member, by GNU ar."""
    (root / LONG_NAME).write_bytes(LONG_DATA)
    _run(["ar", "rc", str(out), *sorted(SAMPLE_FILES), LONG_NAME], cwd=root)
    return out


def bsd_ar(members: dict[str, bytes]) -> bytes:
    """A BSD-style ar archive: every name stored inline as "#1/<length>"."""
    out = [b"!<arch>\n"]
    for name, data in members.items():
        encoded = name.encode()
        body = encoded + data
        header = b"%-16s%-12d%-6d%-6d%-8o%-10d`\n" % (
            b"#1/%d" % len(encoded),
            0,
            0,
            0,
            0o100644,
            len(body),
        )
        out.append(header + body + b"\n" * (len(body) & 1))
    return b"".join(out)


# -- deb ---------------------------------------------------------------------------------------


def deb_package(work: Path, out: Path, compression: str = "gzip") -> Path:
    """A Debian package of SAMPLE_FILES built by dpkg-deb, data.tar compressed with
    `compression`."""
    tree = make_tree(work / "debtree")
    control = tree / "DEBIAN"
    control.mkdir()
    control.chmod(0o755)
    (control / "control").write_text(CONTROL)
    argv = ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(tree), str(out)]
    _run(argv)
    return out


# -- rpm ---------------------------------------------------------------------------------------


def rpm_package(work: Path, payload: str = "gzip") -> Path:
    """An RPM of SAMPLE_FILES built by rpmbuild in a private topdir, its payload compressed with
    `payload` (a key of RPM_PAYLOADS)."""
    tree = make_tree(work / "rpmtree")
    top = work / "rpmtop"
    for folder in ("SPECS", "BUILD", "RPMS", "SRPMS", "SOURCES", "BUILDROOT", "tmp"):
        (top / folder).mkdir(parents=True)
    files = "\n".join("/" + name for name in sorted(SAMPLE_FILES))
    spec = top / "SPECS" / "sample.spec"
    spec.write_text(RPM_SPEC.format(tree=tree, files=files))
    defines = {
        "_topdir": str(top),
        "_tmppath": str(top / "tmp"),
        "_binary_payload": RPM_PAYLOADS[payload],
        "__os_install_post": "%{nil}",
        "debug_package": "%{nil}",
        "_build_id_links": "none",
    }
    argv = ["rpmbuild", "-bb", "--quiet"]
    for key, value in defines.items():
        argv += ["--define", f"{key} {value}"]
    _run([*argv, str(spec)], cwd=work)
    return next((top / "RPMS").rglob("*.rpm"))


# -- ipk ---------------------------------------------------------------------------------------


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1_600_000_000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ipk_parts() -> dict[str, bytes]:
    """The three members of an .ipk: debian-binary, control.tar.gz, data.tar.gz."""
    data = {"./" + name: content for name, content in sorted(SAMPLE_FILES.items())}
    return {
        "debian-binary": b"2.0\n",
        "control.tar.gz": _tar_gz({"./control": CONTROL.encode()}),
        "data.tar.gz": _tar_gz(data),
    }


def ipk_ar(work: Path, out: Path) -> Path:
    """An .ipk in the ar layout, put together by GNU ar."""
    parts = ipk_parts()
    folder = work / "ipk-ar"
    folder.mkdir()
    for name, data in parts.items():
        (folder / name).write_bytes(data)
    _run(["ar", "rc", str(out), *parts], cwd=folder)
    return out


def ipk_tar_gz(out: Path) -> Path:
    """An .ipk in the tar.gz layout opkg-build writes by default."""
    out.write_bytes(_tar_gz({"./" + name: data for name, data in ipk_parts().items()}))
    return out
