"""Build a small sample vendor firmware image for `make demo`: a vendor header, a U-Boot kernel
image, a squashfs root filesystem and a JFFS2 configuration partition, padded like flash."""

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ERASE_BLOCK = 64 * 1024
HOST_BINARIES = ("/bin/sh", "/bin/ls", "/usr/bin/env", "/bin/gzip")

# Vendor binaries compiled for the demo, each carrying the version text of the third-party code a
# vendor typically ships: (path, gcc flags, strings)
OPENSSLDIR = b'OPENSSLDIR: "/usr/local/ssl"'
COMPILED = (
    (
        "usr/lib/libcrypto.so.1.0.0",
        ("-shared", "-fPIC", "-Wl,-soname,libcrypto.so.1.0.0"),
        (b"OpenSSL 1.0.2k  26 Jan 2017", OPENSSLDIR),
    ),
    ("usr/lib/libssl.so.1.0.0", ("-shared", "-fPIC", "-Wl,-soname,libssl.so.1.0.0"), ()),
    (
        "bin/busybox",
        ("-fno-stack-protector", "-no-pie", "-z", "norelro"),
        (b"BusyBox v1.31.1 (2019-10-30 12:00:00 UTC) multi-call binary.",),
    ),
    ("usr/sbin/dropbear", ("-z", "execstack"), (b"SSH-2.0-dropbear_2019.78", b"Dropbear v2019.78")),
    (
        "usr/sbin/vendor-agent",
        ("-O0",),
        (b"OpenSSL 1.1.0h  27 Mar 2018", OPENSSLDIR, b"vendor management agent 3.1"),
    ),
)
C_PROGRAM = """
#include <stdio.h>
#include <string.h>
%s
int main(int argc, char **argv) {
    char name[32];
    if (argc > 1) { strcpy(name, argv[1]); sprintf(name, "%%s", argv[1]); puts(name); }
    return 0;
}
"""

ROOTFS_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n",
    "etc/shadow": "root:$1$vendor$U6ZxO8l2S9yCk5yHZq0aT/:19000:0:99999:7:::\nadmin::19000::::::\n",
    "etc/inittab": "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n",
    "etc/init.d/rcS": "#!/bin/sh\nmount -a\n/usr/sbin/dropbear -R\n",
    "etc/os-release": 'NAME="VendorOS"\nVERSION_ID="4.2.1"\n',
    "etc/dropbear/dropbear_rsa_host_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIB...demo\n",
    "www/index.html": "<html><body>Vendor router admin</body></html>\n",
}


def run(*argv: str) -> None:
    """Run a build tool, failing loudly."""
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def c_string(text: bytes) -> str:
    """A C string literal holding exactly `text`."""
    return '"' + "".join(f"\\x{byte:02x}" for byte in text) + '"'


def compile_binaries(root: Path, work: Path) -> None:
    """Vendor programs and libraries compiled with chosen hardening flags and version strings."""
    for index, (name, flags, strings) in enumerate(COMPILED):
        constants = "\n".join(
            f"__attribute__((used)) static const char v{i}[] = {c_string(text)};"
            for i, text in enumerate(strings)
        )
        source = work / f"unit{index}.c"
        source.write_text(C_PROGRAM % constants)
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        run("gcc", "-O1", *flags, "-o", str(target), str(source))


def build_rootfs(root: Path, work: Path) -> None:
    """A small root filesystem with real host binaries, configs, a setuid file and symlinks."""
    for name, text in ROOTFS_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "etc/init.d/rcS").chmod(0o755)
    (root / "bin").mkdir(exist_ok=True)
    for binary in HOST_BINARIES:
        if os.path.exists(binary):
            shutil.copy(binary, root / "bin" / Path(binary).name)
    (root / "usr/sbin").mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "bin" / "ls", root / "usr/sbin/vendor-helper")
    (root / "usr/sbin/vendor-helper").chmod(0o4755)
    compile_binaries(root, work)
    os.symlink("/bin/busybox", root / "bin" / "ash")
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)


def build_image(output: Path) -> None:
    """Assemble the raw flash image at `output`."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rootfs, config = work / "rootfs", work / "config"
        build_rootfs(rootfs, work)
        config.mkdir()
        (config / "network.conf").write_text("lan_ip=192.168.1.1\nadmin_password=admin\n")
        kernel = work / "vmlinux.gz"
        kernel.write_bytes(
            gzip.compress(
                b"\x00" * 4096
                + b"Linux version 4.14.180 (builder@vendor) (gcc version 7.3.0 (GCC)) "
                + b"#1 SMP PREEMPT Mon Jun 1 00:00:00 UTC 2020\n\x00"
                + bytes(range(256)) * 64
            )
        )
        run(
            "mkimage",
            "-A",
            "arm",
            "-O",
            "linux",
            "-T",
            "kernel",
            "-C",
            "gzip",
            "-a",
            "0x8000",
            "-e",
            "0x8000",
            "-n",
            "VendorOS 4.2.1",
            "-d",
            str(kernel),
            str(work / "uImage"),
        )
        run(
            "mksquashfs",
            str(rootfs),
            str(work / "rootfs.sqsh"),
            "-comp",
            "xz",
            "-all-root",
            "-noappend",
            "-quiet",
        )
        run(
            "mkfs.jffs2",
            "-r",
            str(config),
            "-o",
            str(work / "config.jffs2"),
            "-e",
            "65536",
            "-l",
            "-p",
        )
        header = b"VNDRFW01" + b"model=VR-5000;version=4.2.1;".ljust(248, b"\x00")
        parts = [header, (work / "uImage").read_bytes()]
        for part in ("rootfs.sqsh", "config.jffs2"):
            used = sum(len(p) for p in parts)
            parts.append(b"\xff" * (-used % ERASE_BLOCK))
            parts.append((work / part).read_bytes())
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(b"".join(parts))


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-out/sample-firmware.bin")
    build_image(target)
    print(f"built {target} ({target.stat().st_size} bytes)")
