"""Builders of package-metadata fixtures: root file systems with dpkg, opkg, apk and rpm databases
(the rpm one made by rpmbuild and rpm itself, a Berkeley DB one by db5.3_load), Python and npm
installs, and ELF binaries compiled with gcc that carry Go build info or cargo-auditable data
built byte by byte as the Go linker and cargo-auditable write them."""

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path

DEBIAN_OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
DEBIAN_OS_RELEASE += b'VERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'

DPKG_STATUS = """\
Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6160
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the Internet.

Package: openssl
Status: install ok installed
Architecture: amd64
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - cryptographic utility

Package: zlib1g
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Maintainer: Mark Brown <broonie@debian.org>
Description: compression library - runtime

Package: vendor-agent
Status: hold ok installed
Architecture: amd64
Source: vendor-agent-src (2.0-1)
Version: 2.0-1+b1
Maintainer: Vendor <support@vendor.example>
Description: vendor management agent

Package: telnetd
Status: deinstall ok config-files
Architecture: amd64
Version: 0.17+2.4-2
Description: removed, only configuration left

Package: broken-entry
Status: install ok installed
Architecture: amd64
Description: no version field
"""

LIBSSL_LIST = """\
/.
/usr
/usr/lib
/usr/lib/x86_64-linux-gnu
/usr/lib/x86_64-linux-gnu/libssl.so.3
/usr/lib/x86_64-linux-gnu/libcrypto.so.3
/usr/share/doc/libssl3/changelog.Debian.gz
"""

DEBIAN_FILES: dict[str, bytes] = {
    "usr/lib/os-release": DEBIAN_OS_RELEASE,
    "var/lib/dpkg/status": DPKG_STATUS.encode(),
    "var/lib/dpkg/info/libssl3:amd64.list": LIBSSL_LIST.encode(),
    "var/lib/dpkg/info/openssl.list": b"/.\n/usr\n/usr/bin\n/usr/bin/openssl\n",
    "var/lib/dpkg/info/zlib1g:amd64.md5sums": (
        b"0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libz.so.1.2.13\n"
    ),
    "usr/lib/x86_64-linux-gnu/libssl.so.3": b"libssl payload",
    "usr/lib/x86_64-linux-gnu/libcrypto.so.3": b"libcrypto payload",
    "usr/bin/openssl": b"openssl payload",
    "lib/x86_64-linux-gnu/libz.so.1.2.13": b"zlib payload",
}

DISTROLESS_FILES: dict[str, bytes] = {
    "etc/os-release": DEBIAN_OS_RELEASE,
    "var/lib/dpkg/status.d/base-files": (
        b"Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n"
        b"Maintainer: Santiago Vila <sanvila@debian.org>\n"
    ),
    "var/lib/dpkg/status.d/base-files.md5sums": b"d41d8cd98f00b204e9800998ecf8427e  etc/issue\n",
    "var/lib/dpkg/status.d/libssl3": (
        b"Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: arm64\nSource: openssl\n"
    ),
    "etc/issue": b"Debian GNU/Linux 12 \\n \\l\n",
}

OPKG_STATUS = """\
Package: libopenssl3
Version: 3.0.13-1
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1700000000

Package: dropbear
Version: 2022.82-6
Status: install user installed
Architecture: mipsel_24kc

Package: kernel
Version: 5.15.137-1-4a0c5b9c1e8e5d7f6a1b2c3d4e5f6a7b
Status: install user installed
Architecture: mipsel_24kc
"""

OPENWRT_FILES: dict[str, bytes] = {
    "etc/openwrt_release": (
        b"DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.2'\nDISTRIB_REVISION='r23630-842932a63d'\n"
        b"DISTRIB_TARGET='ramips/mt7621'\nDISTRIB_DESCRIPTION='OpenWrt 23.05.2 r23630-842932a63d'\n"
    ),
    "usr/lib/os-release": (
        b'NAME="OpenWrt"\nVERSION="23.05.2"\nID="openwrt"\nID_LIKE="lede openwrt"\n'
        b'VERSION_ID="23.05.2"\nBUILD_ID="r23630-842932a63d"\n'
    ),
    "usr/lib/opkg/status": OPKG_STATUS.encode(),
    "usr/lib/opkg/info/libopenssl3.control": (
        b"Package: libopenssl3\nVersion: 3.0.13-1\nSource: package/libs/openssl\n"
        b"SourceName: openssl\nLicense: Apache-2.0\nCPE-ID: cpe:/a:openssl:openssl\n"
        b"Maintainer: Eneas U de Queiroz <cotequeiroz@gmail.com>\nArchitecture: mipsel_24kc\n"
    ),
    "usr/lib/opkg/info/libopenssl3.list": b"/usr/lib/libssl.so.3\n/usr/lib/libcrypto.so.3\n",
    "usr/lib/opkg/info/dropbear.control": (
        b"Package: dropbear\nVersion: 2022.82-6\nSource: package/network/services/dropbear\n"
        b"License: MIT\nArchitecture: mipsel_24kc\n"
    ),
    "usr/lib/opkg/info/dropbear.list": b"/usr/sbin/dropbear\n/etc/init.d/dropbear\n",
    "usr/lib/opkg/info/uhttpd.control": (
        b"Package: uhttpd\nVersion: 2023-06-25-34a8a74d-2\n"
        b"Source: package/network/services/uhttpd\nLicense: ISC\nArchitecture: mipsel_24kc\n"
    ),
    "usr/lib/opkg/info/libmbedtls12.control": (
        b"Package: libmbedtls12\nVersion: 2.28.7-2\nSource: package/libs/mbedtls-vendor\n"
        b"CPE-ID: cpe:/a:arm:mbed_tls\nArchitecture: mipsel_24kc\n"
    ),
    "usr/lib/opkg/info/kernel.control": (
        b"Package: kernel\nVersion: 5.15.137-1-4a0c5b9c1e8e5d7f6a1b2c3d4e5f6a7b\n"
        b"Source: package/kernel/linux\nArchitecture: mipsel_24kc\n"
    ),
    "usr/lib/libssl.so.3": b"libssl",
    "usr/lib/libcrypto.so.3": b"libcrypto",
    "usr/sbin/dropbear": b"dropbear",
    "lib/modules/5.15.137/modules.dep": b"kernel/net/foo.ko:\n",
}

APK_INSTALLED = """\
C:Q1KbW8gXmnqeCQwkB4pjfI3rrkUJ0=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
F:lib
R:ld-musl-x86_64.so.1
R:libc.musl-x86_64.so.1

C:Q1OjzMNQ7lrJNOSNqqJ1x0ob4Vn5Q=
P:libssl3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
F:lib
R:libssl.so.3
F:usr/lib
R:libssl.so.3

C:Q1broken
T:an entry without name or version

P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
F:bin
R:busybox
"""

ALPINE_FILES: dict[str, bytes] = {
    "etc/os-release": (
        b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n'
    ),
    "lib/apk/db/installed": APK_INSTALLED.encode(),
    "lib/ld-musl-x86_64.so.1": b"musl",
    "lib/libssl.so.3": b"libssl",
    "bin/busybox": b"busybox",
}

RPM_SPEC = """\
Name: {name}
Version: {version}
Release: {release}
{epoch}Summary: {name} fixture
License: {license}
Vendor: Rocky Enterprise Software Foundation
BuildArch: noarch
%description
fixture
%install
mkdir -p %{{buildroot}}/usr/lib64 %{{buildroot}}/usr/bin
{install}
%files
{files}
"""

ROCKY_OS_RELEASE = (
    b'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nVERSION_ID="9.3"\n'
    b'CPE_NAME="cpe:/o:rocky:rocky:9::baseos"\n'
)

METADATA = """\
Metadata-Version: 2.1
Name: {name}
Version: {version}
Summary: fixture
License: {license}
Classifier: License :: OSI Approved :: Apache Software License

Long description.
"""

PYTHON_SITE = "usr/lib/python3/dist-packages"
PYTHON_FILES: dict[str, bytes] = {
    f"{PYTHON_SITE}/requests-2.31.0.dist-info/METADATA": METADATA.format(
        name="requests", version="2.31.0", license="Apache 2.0"
    ).encode(),
    f"{PYTHON_SITE}/requests-2.31.0.dist-info/RECORD": (
        b"requests/__init__.py,sha256=abc,4924\n"
        b"requests/api.py,sha256=def,6449\n"
        b"requests-2.31.0.dist-info/METADATA,sha256=ghi,4000\n"
        b"../../../bin/requests-cli,sha256=jkl,100\n"
        b"requests/__pycache__/api.cpython-311.pyc,,\n"
    ),
    f"{PYTHON_SITE}/requests/__init__.py": b"# requests\n",
    f"{PYTHON_SITE}/requests/api.py": b"# api\n",
    "usr/bin/requests-cli": b"#!/usr/bin/python3\n",
    f"{PYTHON_SITE}/PyYAML-6.0.1.egg-info/PKG-INFO": METADATA.format(
        name="PyYAML", version="6.0.1", license="MIT"
    ).encode(),
    f"{PYTHON_SITE}/PyYAML-6.0.1.egg-info/installed-files.txt": b"../yaml/__init__.py\n",
    f"{PYTHON_SITE}/yaml/__init__.py": b"# yaml\n",
    f"{PYTHON_SITE}/six-1.16.0.egg-info": METADATA.format(
        name="six", version="1.16.0", license="UNKNOWN"
    ).encode(),
    f"{PYTHON_SITE}/broken-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: broken\n",
}

PACKAGE_LOCK = {
    "name": "vendor-ui",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "vendor-ui", "version": "1.0.0", "dependencies": {"lodash": "^4.17.20"}},
        "node_modules/lodash": {"version": "4.17.20", "license": "MIT"},
        "node_modules/@babel/core": {"version": "7.23.0", "license": "MIT", "dev": True},
        "node_modules/express/node_modules/debug": {"version": "2.6.9", "license": "MIT"},
        "node_modules/local-lib": {"resolved": "../local-lib", "link": True},
    },
}

NODE_FILES: dict[str, bytes] = {
    "opt/ui/package-lock.json": json.dumps(PACKAGE_LOCK).encode(),
    "opt/ui/package.json": json.dumps({"name": "vendor-ui", "version": "1.0.0"}).encode(),
    "opt/ui/node_modules/lodash/package.json": json.dumps(
        {"name": "lodash", "version": "4.17.20", "license": "MIT"}
    ).encode(),
    "opt/ui/node_modules/lodash/fp/package.json": json.dumps({"main": "../fp.js"}).encode(),
    "opt/ui/node_modules/@babel/core/package.json": json.dumps(
        {"name": "@babel/core", "version": "7.23.0", "license": {"type": "MIT"}}
    ).encode(),
    "opt/ui/node_modules/broken/package.json": b'{"name": "broken", "version": ',
}

GO_INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
GO_INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")
GO_MODINFO = (
    "path\tgithub.com/vendor/agent/cmd/agent\n"
    "mod\tgithub.com/vendor/agent\tv1.4.2\th1:abc=\n"
    "dep\tgithub.com/gin-gonic/gin\tv1.9.1\th1:def=\n"
    "dep\tgolang.org/x/crypto\tv0.14.0\th1:ghi=\n"
    "=>\tgolang.org/x/crypto\tv0.17.0\th1:jkl=\n"
    "dep\tgithub.com/vendor/local\tv0.0.0\n"
    "=>\t../local\t\n"
    "build\t-compiler=gc\n"
    "build\tGOARCH=amd64\n"
)
CARGO_AUDIT = {
    "packages": [
        {
            "name": "vendor-daemon",
            "version": "0.3.0",
            "source": "local",
            "root": True,
            "dependencies": [1, 2, 3],
        },
        {"name": "serde", "version": "1.0.193", "source": "crates.io"},
        {"name": "tokio", "version": "1.35.0", "source": "crates.io"},
        {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
    ]
}


def write_tree(root: Path, files: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    """Write `files` and symlinks (`links`: path → target) under `root`; return root."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for name, target in (links or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    return root


def debian_rootfs(root: Path) -> Path:
    """A Debian 12 file system whose /etc/os-release is a symlink, as on a real system."""
    return write_tree(root, DEBIAN_FILES, {"etc/os-release": "../usr/lib/os-release"})


def distroless_tar(work: Path) -> Path:
    """A distroless-style root (status.d/, md5sums only) as a gzip tar with a top folder."""
    write_tree(work / "tree" / "rootfs", DISTROLESS_FILES)
    tarball = work / "distroless.tar.gz"
    subprocess.run(["tar", "-czf", str(tarball), "-C", str(work / "tree"), "rootfs"], check=True)
    return tarball


def openwrt_rootfs(root: Path, work: Path) -> Path:
    """An OpenWrt file system with opkg's database and a kernel module compiled by gcc."""
    write_tree(root, OPENWRT_FILES)
    module = root / "lib/modules/5.15.137/foo.ko"
    compile_object(
        work, 'const char vermagic[] = "vermagic=5.15.137 SMP mod_unload MIPS32_R2";', module
    )
    return root


def alpine_rootfs(root: Path) -> Path:
    """An Alpine 3.18 file system with apk's installed database."""
    return write_tree(root, ALPINE_FILES)


def _gcc(work: Path, source: str, output: Path, *flags: str) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    c_file = work / f"{output.name}.c"
    c_file.write_text(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", *flags, "-o", str(output), str(c_file)], check=True, capture_output=True)
    return output


def compile_object(work: Path, body: str, output: Path) -> Path:
    """A relocatable ELF object (a stand-in for a kernel module) with `body` in .modinfo."""
    source = f'__attribute__((section(".modinfo"), used)) {body}\n'
    return _gcc(work, source, output, "-c")


def c_bytes(data: bytes) -> str:
    """A C array initializer for `data`."""
    return "{" + ",".join(str(b) for b in data) + "}"


def go_inline_blob(go_version: str, modinfo: str) -> bytes:
    """The Go ≥ 1.18 `.go.buildinfo` content: header with flag 2, then two uvarint strings."""
    framed = GO_INFO_START + modinfo.encode() + GO_INFO_END
    header = b"\xff Go buildinf:" + bytes([8, 2]) + bytes(16)
    return header + _uvarint(len(go_version)) + go_version.encode() + _uvarint(len(framed)) + framed


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def go_binary_inline(work: Path, output: Path, go_version: str = "go1.21.5") -> Path:
    """A gcc-built ELF executable whose `.go.buildinfo` section holds Go ≥ 1.18 build info."""
    blob = go_inline_blob(go_version, GO_MODINFO)
    source = (
        '__attribute__((section(".go.buildinfo"), aligned(16), used))\n'
        f"const unsigned char buildinfo[{len(blob)}] = {c_bytes(blob)};\n"
        "int main(void) { return 0; }\n"
    )
    return _gcc(work, source, output)


def go_binary_pointers(work: Path, output: Path, go_version: str = "go1.16.15") -> Path:
    """A gcc-built non-PIE ELF executable with pre-1.18 build info: the header holds pointers to
    Go string headers {data, length}, resolved through the program headers."""
    framed = GO_INFO_START + GO_MODINFO.encode() + GO_INFO_END
    version_bytes = c_bytes(go_version.encode() + bytes(1))
    modinfo_bytes = c_bytes(framed + bytes(1))
    source = (
        "struct gostring { const char *data; long length; };\n"
        f"static const char version[] = {version_bytes};\n"
        f"static const char modinfo[] = {modinfo_bytes};\n"
        f"static struct gostring version_s = {{version, {len(go_version)}}};\n"
        f"static struct gostring modinfo_s = {{modinfo, {len(framed)}}};\n"
        "struct header { char magic[14]; char ptrsize; char flags; void *v; void *m; };\n"
        '__attribute__((section(".go.buildinfo"), aligned(16), used))\n'
        'struct header buildinfo = {"\\xff Go buildinf:", 8, 0, &version_s, &modinfo_s};\n'
        "int main(void) { return 0; }\n"
    )
    return _gcc(work, source, output, "-no-pie")


def rust_binary(
    work: Path, output: Path, audit: object = CARGO_AUDIT, raw: bytes | None = None
) -> Path:
    """A gcc-built ELF executable with a cargo-auditable `.dep-v0` section (zlib JSON)."""
    blob = raw if raw is not None else zlib.compress(json.dumps(audit).encode(), 9)
    source = (
        '__attribute__((section(".dep-v0"), used))\n'
        f"const unsigned char dep[{len(blob)}] = {c_bytes(blob)};\n"
        "int main(void) { return 0; }\n"
    )
    return _gcc(work, source, output)


def build_rpm(
    work: Path,
    name: str,
    version: str,
    release: str,
    files: dict[str, str],
    epoch: int | None = None,
    license: str = "ASL 2.0",
) -> Path:
    """A noarch rpm built by rpmbuild with the given files (path → content)."""
    top = work / f"rpmbuild-{name}"
    (top / "SPECS").mkdir(parents=True, exist_ok=True)
    install = "\n".join(
        f"mkdir -p %{{buildroot}}{os.path.dirname(p)}\necho '{c}' > %{{buildroot}}{p}"
        for p, c in files.items()
    )
    spec = top / "SPECS" / f"{name}.spec"
    spec.write_text(
        RPM_SPEC.format(
            name=name,
            version=version,
            release=release,
            license=license,
            epoch=f"Epoch: {epoch}\n" if epoch is not None else "",
            install=install,
            files="\n".join(files),
        )
    )
    subprocess.run(
        ["rpmbuild", "--define", f"_topdir {top}", "-bb", str(spec)],
        check=True,
        capture_output=True,
    )
    return next((top / "RPMS" / "noarch").glob("*.rpm"))


def rpm_sqlite_db(work: Path, rpms: list[Path]) -> Path:
    """An rpmdb.sqlite made by `rpm --initdb` and `rpm -i --justdb` of the given packages."""
    dbpath = work / "rpmdb"
    dbpath.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rpm", "--dbpath", str(dbpath), "--initdb"], check=True, capture_output=True)
    subprocess.run(
        [
            "rpm",
            "-i",
            "--justdb",
            "--nodeps",
            "--noscripts",
            "--dbpath",
            str(dbpath),
            *map(str, rpms),
        ],
        check=True,
        capture_output=True,
    )
    return dbpath / "rpmdb.sqlite"


def rpm_bdb_packages(sqlite_db: Path, output: Path) -> Path:
    """A Berkeley DB hash `Packages` file with the same header blobs, made by db5.3_load: key
    = the header instance (host order), and key 0 holding the last instance, as rpm wrote it."""
    with sqlite3.connect(sqlite_db) as connection:
        rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    lines = ["VERSION=3", "format=bytevalue", "type=hash", "HEADER=END"]
    lines += [" " + struct.pack("<I", 0).hex(), " " + struct.pack("<I", rows[-1][0]).hex()]
    for hnum, blob in rows:
        lines += [" " + struct.pack("<I", hnum).hex(), " " + bytes(blob).hex()]
    lines.append("DATA=END")
    dump = sqlite_db.with_suffix(".dump")
    dump.write_text("\n".join(lines) + "\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["db5.3_load", "-f", str(dump), str(output)], check=True, capture_output=True)
    return output


def have(*tools: str) -> bool:
    """Whether every tool is installed."""
    return all(shutil.which(tool) for tool in tools)


def header_blob(entries: list[tuple[int, int, bytes, int]]) -> bytes:
    """An rpm header blob from (tag, type, value bytes, count) entries, laid out by hand."""
    index, store = b"", b""
    for tag, kind, value, count in entries:
        if kind == 4:
            store += bytes(-len(store) % 4)
        index += struct.pack(">iiii", tag, kind, len(store), count)
        store += value
    return struct.pack(">ii", len(entries), len(store)) + index + store
