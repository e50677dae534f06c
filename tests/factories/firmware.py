"""Builders for firmware images made with the real tools: uImages and FIT images (mkimage, dtc),
JFFS2 (mkfs.jffs2), UBI and UBIFS (mkfs.ubifs, ubinize), cpio ramdisks, and a raw vendor flash
image that puts several of them behind a vendor header, padded to erase blocks."""

import gzip
import os
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.factories.files import make_tree

EPOCH = 1_600_000_000
ERASE_BLOCK = 64 * 1024
KERNEL = b"Linux version 5.10.0 (builder@vendor) #1 SMP PREEMPT\n" * 400 + bytes(range(256)) * 8
CONFIG_FILES: dict[str, bytes] = {
    "network.conf": b"lan_ip=192.168.1.1\nwan=dhcp\n",
    "users/admin.conf": b"user=admin\npassword=admin\n" * 10,
}
ITS = """/dts-v1/;
/ {
    description = "Vendor FIT";
    #address-cells = <1>;
    images {
        kernel-1 {
            description = "Linux kernel";
            data = /incbin/("kernel.gz");
            type = "kernel";
            arch = "arm";
            os = "linux";
            compression = "gzip";
            load = <0x80008000>;
            entry = <0x80008000>;
            hash-1 { algo = "sha256"; };
        };
        ramdisk-1 {
            description = "initramfs";
            data = /incbin/("ramdisk.gz");
            type = "ramdisk";
            arch = "arm";
            os = "linux";
            compression = "gzip";
            hash-1 { algo = "crc32"; };
        };
    };
    configurations {
        default = "conf-1";
        conf-1 { kernel = "kernel-1"; ramdisk = "ramdisk-1"; };
    };
};
"""


def run(*argv: str | Path, cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    """Run a build tool with a fixed SOURCE_DATE_EPOCH; fail loudly."""
    done = subprocess.run(
        [str(arg) for arg in argv],
        check=True,
        capture_output=True,
        cwd=cwd,
        input=stdin,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)},
    )
    return done.stdout


def gz(data: bytes) -> bytes:
    """gzip without a stored name or time."""
    return gzip.compress(data, mtime=0)


def cpio_newc(tree: Path) -> bytes:
    """A newc cpio archive of every entry under `tree`, made by GNU cpio."""
    names = sorted(str(p.relative_to(tree)) for p in tree.rglob("*"))
    return run("cpio", "-o", "-H", "newc", "--quiet", cwd=tree, stdin="\n".join(names).encode())


def ramdisk(work: Path) -> bytes:
    """A gzip'd newc cpio of SAMPLE_FILES, as an initramfs is."""
    return gz(cpio_newc(make_tree(work / "ramdisk-tree")))


def uimage(
    work: Path,
    payload: bytes,
    kind: str = "kernel",
    compression: str = "gzip",
    name: str = "Linux-5.10.0",
) -> bytes:
    """A legacy uImage made by mkimage around `payload`."""
    work.mkdir(parents=True, exist_ok=True)
    source, image = work / f"{kind}.payload", work / f"{kind}.uimage"
    source.write_bytes(payload)
    load = "0x80008000"
    run("mkimage", "-A", "arm", "-O", "linux", "-T", kind, "-C", compression,
        "-a", load, "-e", load, "-n", name, "-d", source, image)  # fmt: skip
    return image.read_bytes()


def multi_uimage(work: Path, parts: list[bytes]) -> bytes:
    """A multi-file uImage (`-T multi`) of `parts`, the first one compressed with gzip."""
    work.mkdir(parents=True, exist_ok=True)
    names = []
    for index, part in enumerate(parts):
        path = work / f"part{index}"
        path.write_bytes(part)
        names.append(str(path))
    image = work / "multi.uimage"
    load = "0x80000000"
    run("mkimage", "-A", "mips", "-O", "linux", "-T", "multi", "-C", "gzip",
        "-a", load, "-e", load, "-n", "multi", "-d", ":".join(names), image)  # fmt: skip
    return image.read_bytes()


def fit_image(work: Path, kernel_gz: bytes, ramdisk_gz: bytes, external: bool = False) -> bytes:
    """A FIT with a kernel and a ramdisk image, made by mkimage from an .its (dtc compiles it);
    with `external`, the image data sits after the tree (`mkimage -E`)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "kernel.gz").write_bytes(kernel_gz)
    (work / "ramdisk.gz").write_bytes(ramdisk_gz)
    (work / "image.its").write_text(ITS)
    extra = ["-E"] if external else []
    run("mkimage", *extra, "-f", "image.its", "image.itb", cwd=work)
    return (work / "image.itb").read_bytes()


def plain_dtb(work: Path) -> bytes:
    """A small devicetree blob that is not a FIT."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "board.dts"
    source.write_text(
        '/dts-v1/;\n/ { model = "Vendor Board"; compatible = "vendor,board";\n'
        '  memory@0 { device_type = "memory"; reg = <0x0 0x8000000>; }; };\n'
    )
    return run("dtc", "-I", "dts", "-O", "dtb", source)


def jffs2_image(work: Path, tree: Path, big_endian: bool = False) -> bytes:
    """A JFFS2 image of `tree` made by mkfs.jffs2, padded to whole 64 KiB erase blocks."""
    work.mkdir(parents=True, exist_ok=True)
    image = work / ("be.jffs2" if big_endian else "le.jffs2")
    order = "-b" if big_endian else "-l"
    run("mkfs.jffs2", "-r", tree, "-o", image, "-e", str(ERASE_BLOCK), "-p", order, "-q")
    return image.read_bytes()


@dataclass(frozen=True, slots=True)
class UbiBuild:
    """A UBI image and the volume contents it was made from."""

    image: bytes
    ubifs: bytes
    kernel: bytes


def ubifs_image(work: Path, tree: Path, compressor: str = "lzo") -> bytes:
    """A UBIFS image of `tree` for 128 KiB erase blocks and 2 KiB pages."""
    work.mkdir(parents=True, exist_ok=True)
    image = work / "rootfs.ubifs"
    run("mkfs.ubifs", "-r", tree, "-m", "2048", "-e", "126976", "-c", "64",
        "-x", compressor, "-o", image)  # fmt: skip
    return image.read_bytes()


def ubi_image(work: Path, tree: Path) -> UbiBuild:
    """A UBI image made by ubinize with a dynamic UBIFS volume `rootfs` holding `tree` and a
    static volume `kernel` holding a raw blob."""
    ubifs = ubifs_image(work, tree)
    kernel = gz(KERNEL)
    (work / "kernel.bin").write_bytes(kernel)
    (work / "ubinize.cfg").write_text(
        "[rootfs]\nmode=ubi\nimage=rootfs.ubifs\nvol_id=0\nvol_type=dynamic\n"
        "vol_name=rootfs\nvol_flags=autoresize\n"
        "[kernel]\nmode=ubi\nimage=kernel.bin\nvol_id=1\nvol_type=static\nvol_name=kernel\n"
    )
    run("ubinize", "-o", "image.ubi", "-m", "2048", "-p", "128KiB", "-Q", "1234",
        "ubinize.cfg", cwd=work)  # fmt: skip
    return UbiBuild((work / "image.ubi").read_bytes(), ubifs, kernel)


def squashfs_image(work: Path, tree: Path) -> bytes:
    """A squashfs of `tree`, xz-compressed, made by mksquashfs."""
    work.mkdir(parents=True, exist_ok=True)
    image = work / "rootfs.sqsh"
    run(
        "mksquashfs", tree, image, "-comp", "xz", "-noappend", "-all-root", "-quiet", "-no-progress"
    )
    return image.read_bytes()


@dataclass(frozen=True, slots=True)
class VendorImage:
    """A raw flash image and where each of its parts starts."""

    data: bytes
    uimage: int
    squashfs: int
    jffs2: int
    kernel_gz: bytes


def _pad(parts: list[bytes]) -> int:
    """Pad with 0xFF to the next erase block; return the offset reached."""
    used = sum(len(part) for part in parts)
    parts.append(b"\xff" * (-used % ERASE_BLOCK))
    return used + len(parts[-1])


def vendor_image(work: Path) -> VendorImage:
    """256 bytes of vendor header junk, a gzip kernel uImage, 0xFF padding to an erase block, an
    xz squashfs of SAMPLE_FILES, padding, and a JFFS2 partition of CONFIG_FILES."""
    header = b"VNDRFW01" + random.Random(256).randbytes(248)
    kernel_gz = gz(KERNEL)
    parts = [header, uimage(work / "uimage", kernel_gz)]
    squashfs_at = _pad(parts)
    parts.append(squashfs_image(work, make_tree(work / "rootfs")))
    jffs2_at = _pad(parts)
    parts.append(jffs2_image(work, make_tree(work / "config", CONFIG_FILES)))
    return VendorImage(b"".join(parts), len(header), squashfs_at, jffs2_at, kernel_gz)
