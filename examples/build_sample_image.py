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


def build_rootfs(root: Path) -> None:
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
    os.symlink("/bin/sh", root / "bin" / "ash")
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)


def build_image(output: Path) -> None:
    """Assemble the raw flash image at `output`."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rootfs, config = work / "rootfs", work / "config"
        build_rootfs(rootfs)
        config.mkdir()
        (config / "network.conf").write_text("lan_ip=192.168.1.1\nadmin_password=admin\n")
        kernel = work / "vmlinux.gz"
        kernel.write_bytes(
            gzip.compress(b"Linux version 4.14.180 (builder@vendor) #1 SMP\n" * 4000)
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
