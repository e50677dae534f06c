"""File-system images built with the real tools, without root or mounting: squashfs, cramfs,
ext2/ext4, ISO 9660 and Android sparse images holding SAMPLE_FILES plus a setuid file and a
symlink."""

import os
import subprocess
from pathlib import Path

from tests.factories.files import expected_hashes, make_tree

SETUID_FILE = "usr/sbin/daemon"
LINK_NAME = "bin/daemon"
LINK_TARGET = "/usr/sbin/daemon"
FIXED_TIME = "1600000000"


def run(*argv: str | Path) -> None:
    """Run a tool, failing the test with its output when it fails."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{argv[0]} failed: {done.stderr or done.stdout}"


def fs_tree(root: Path) -> Path:
    """SAMPLE_FILES under `root`, with the daemon setuid and a symlink to it."""
    make_tree(root)
    os.chmod(root / SETUID_FILE, 0o4755)
    (root / LINK_NAME).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(LINK_TARGET, root / LINK_NAME)
    return root


def fs_expected(symlink: bool = True) -> dict[str, str]:
    """In-container path → sha256 (or 'symlink:TARGET') of what `fs_tree` holds."""
    expected = expected_hashes()
    if symlink:
        expected["/" + LINK_NAME] = f"symlink:{LINK_TARGET}"
    return expected


def squashfs(tmp: Path, out: Path, compressor: str = "xz", devices: bool = True) -> Path:
    """A squashfs image of `fs_tree`, with a device node, a FIFO and a sticky /tmp as pseudo
    files so that no root is needed."""
    tree = fs_tree(tmp / f"sqfs-tree-{out.name}")
    argv: list[str | Path] = ["mksquashfs", tree, out, "-comp", compressor, "-noappend"]
    argv += ["-all-root", "-quiet", "-no-progress", "-mkfs-time", FIXED_TIME]
    argv += ["-all-time", FIXED_TIME]
    if devices:
        argv += ["-p", "dev d 755 0 0", "-p", "dev/console c 600 0 0 5 1"]
        argv += ["-p", "dev/initctl i 600 0 0 f"]
    run(*argv)
    return out


def cramfs(tmp: Path, out: Path, endian: str = "little", pad: bool = False) -> Path:
    """A cramfs image of `fs_tree` in the given byte order, optionally after a 512-byte pad."""
    tree = fs_tree(tmp / f"cramfs-tree-{out.name}")
    run("mkfs.cramfs", "-N", endian, *(["-p"] if pad else []), tree, out)
    return out


def ext4(tmp: Path, out: Path) -> Path:
    """An ext4 image of `fs_tree` made by mkfs.ext4 -d."""
    tree = fs_tree(tmp / f"ext4-tree-{out.name}")
    run("mkfs.ext4", "-q", "-F", "-d", tree, "-U", "clear", "-E", "root_owner=0:0", out, "4M")
    return out


def ext2(tmp: Path, out: Path) -> Path:
    """An ext2 image of `fs_tree` made by genext2fs -d, plus a device node from a device table."""
    tree = fs_tree(tmp / f"ext2-tree-{out.name}")
    table = tmp / f"devtable-{out.name}"
    table.write_text("/dev d 755 0 0 - - - - -\n/dev/console c 600 0 0 5 1 - - -\n")
    run("genext2fs", "-U", "-f", "-b", "1024", "-d", tree, "-D", table, out)
    return out


def iso(tmp: Path, out: Path, *options: str) -> Path:
    """An ISO 9660 image of `fs_tree` made by genisoimage with `options` (e.g. -R -J)."""
    tree = fs_tree(tmp / f"iso-tree-{out.name}")
    run("genisoimage", "-quiet", *options, "-V", "VENDOR_FW", "-o", out, tree)
    return out


def android_sparse(tmp: Path, out: Path) -> tuple[Path, Path]:
    """An Android sparse image of an ext4 image; returns (sparse image, raw image)."""
    raw = ext4(tmp, tmp / f"{out.stem}-raw.ext4")
    run("img2simg", raw, out)
    return out, raw
