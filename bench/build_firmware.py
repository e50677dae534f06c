"""Builds a vendor-like raw flash image from real Debian packages, and its ground truth.

Layout of the image (every part after the header starts on a 64 KiB boundary, gaps are 0xFF):

    512-byte vendor header (magic, versions, partition table, CRC-32)
    uImage: gzip'd "vmlinux" (a static ELF from busybox-static:armhf)
    squashfs root file systems, one per architecture (xz, one gzip)
    gzip'd newc cpio initramfs
    jffs2 config partition
    ext4 overlay partition (packages installed after the factory image, logs)
    tar.gz "update bundle" of .deb and .ipk packages
    256-byte vendor signature

The ground truth (JSON) lists every regular file that went in: the container it is in, its path
there, size and sha256. A file inside a package of the update bundle is listed twice over: the
package file itself (container `update-bundle`) and each file of its payload (container
`update-bundle/<package file>`).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
ALIGN = 64 * 1024
HEADER_SIZE = 512
HEADER_MAGIC = b"VNDRFW01"

LITE = (
    "busybox",
    "libc6",
    "libssl3",
    "openssl",
    "dropbear-bin",
    "zlib1g",
    "dnsmasq-base",
    "iptables",
    "libxtables12",
    "libip4tc2",
    "libip6tc2",
    "libcrypt1",
    "libgcc-s1",
)
FULL = (
    *LITE,
    "curl",
    "libcurl4",
    "lighttpd",
    "openssh-server",
    "openssh-client",
    "strongswan-charon",
    "libstrongswan",
    "libxml2",
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "perl-base",
    "bash",
    "coreutils",
    "util-linux",
    "libstdc++6",
    "libsqlite3-0",
    "libpcre2-8-0",
    "libnghttp2-14",
    "libssh2-1",
    "libkrb5-3",
    "libgssapi-krb5-2",
    "libk5crypto3",
    "libkrb5support0",
    "libldap-2.5-0",
    "libsasl2-2",
    "libidn2-0",
    "libunistring2",
    "libpsl5",
    "librtmp1",
    "libbrotli1",
    "libzstd1",
    "liblzma5",
    "libbz2-1.0",
    "libsystemd0",
    "libgnutls30",
    "libnettle8",
    "libhogweed6",
    "libgmp10",
    "libp11-kit0",
    "libtasn1-6",
    "libffi8",
    "libselinux1",
    "libblkid1",
    "libmount1",
    "libsmartcols1",
    "libuuid1",
    "libaudit1",
    "libcap-ng0",
    "libpam0g",
    "libtinfo6",
    "libreadline8",
    "libexpat1",
)


@dataclass(frozen=True)
class RootFS:
    """One squashfs root file system."""

    arch: str
    packages: tuple[str, ...]
    compression: str


ROOTFS = (
    RootFS("arm64", FULL, "xz"),
    RootFS("armhf", FULL, "gzip"),
    RootFS("mips64el", LITE, "xz"),
    RootFS("amd64", LITE, "xz"),
    RootFS("i386", LITE, "xz"),
)
KERNEL_PACKAGE = ("armhf", "busybox-static", "bin/busybox")
INITRAMFS = ("amd64", ("busybox-static", "klibc-utils", "libklibc"))
BUNDLE_DEBS = (
    "arm64",
    ("tcpdump", "libpcap0.8", "iproute2", "ethtool", "wireguard-tools", "libmnl0", "libelf1"),
)
BUNDLE_IPKS = ("armhf", ("tcpdump", "libpcap0.8", "ethtool"))
OVERLAY = ("arm64", ("strace", "htop", "libncursesw6", "libnl-3-200", "libnl-genl-3-200", "iw"))
RECIPE_VERSION = 2
DOWNLOAD_SECONDS: list[float] = []


@dataclass(frozen=True)
class TruthFile:
    """One regular file that went into the image."""

    container: str
    path: str
    size: int
    sha256: str


@dataclass
class Part:
    """One partition of the raw image."""

    name: str
    kind: str
    path: Path
    arch: str = ""
    offset: int = 0
    size: int = 0


@dataclass
class Build:
    """Everything produced while building the image."""

    work: Path
    parts: list[Part] = field(default_factory=list)
    truth: list[TruthFile] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


def run(argv: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> bytes:
    """Run a tool, fail loudly with its stderr."""
    done = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({done.returncode}):\n{tail}")
    return done.stdout


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def regular_files(root: Path) -> Iterator[Path]:
    """Every regular file under `root` (symlinks are not followed), sorted."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                yield path


def truth_of_tree(container: str, root: Path) -> list[TruthFile]:
    return [
        TruthFile(container, str(p.relative_to(root)), p.stat().st_size, sha256_file(p))
        for p in regular_files(root)
    ]


# --- downloads -------------------------------------------------------------------------------


def ensure_architectures(arches: Iterable[str]) -> None:
    """Enable foreign architectures for `apt-get download`; apt needs their package lists."""
    native = run(["dpkg", "--print-architecture"]).decode().strip()
    foreign = set(run(["dpkg", "--print-foreign-architectures"]).decode().split())
    missing = sorted(set(arches) - foreign - {native})
    if not missing:
        return
    for arch in missing:
        log(f"dpkg --add-architecture {arch}")
        run(["dpkg", "--add-architecture", arch])
    apt_update()


def apt_update() -> None:
    # A partial failure (a mirror in sync) still leaves usable lists; downloads are checked.
    done = subprocess.run(["apt-get", "update"], capture_output=True, check=False)
    if done.returncode != 0:
        log("apt-get update reported errors (continuing):")
        log(done.stdout.decode(errors="replace")[-600:])


def cached_deb(folder: Path, package: str, arch: str) -> Path | None:
    for suffix in (arch, "all"):
        found = sorted(folder.glob(f"{package}_*_{suffix}.deb"))
        if found:
            return found[-1]
    return None


def download(packages: Iterable[str], arch: str) -> dict[str, Path]:
    """The .deb of each package for `arch`, fetched with `apt-get download` into the cache."""
    folder = WORK / "debs" / arch
    folder.mkdir(parents=True, exist_ok=True)
    wanted = sorted(set(packages))
    missing = [p for p in wanted if cached_deb(folder, p, arch) is None]
    if missing:
        started = time.monotonic()
        log(f"apt-get download {len(missing)} packages for {arch}")
        argv = ["apt-get", "download", *(f"{p}:{arch}" for p in missing)]
        if subprocess.run(argv, cwd=folder, capture_output=True, check=False).returncode:
            for package in missing:
                subprocess.run(
                    ["apt-get", "download", f"{package}:{arch}"],
                    cwd=folder,
                    capture_output=True,
                    check=False,
                )
        DOWNLOAD_SECONDS.append(time.monotonic() - started)
    found = {p: cached_deb(folder, p, arch) for p in wanted}
    absent = sorted(p for p, path in found.items() if path is None)
    if absent:
        log(f"not available for {arch}, left out: {', '.join(absent)}")
    return {p: path for p, path in found.items() if path is not None}


# --- parts -----------------------------------------------------------------------------------


def unpack_debs(debs: Iterable[Path], root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for deb in debs:
        run(["dpkg-deb", "-x", str(deb), str(root)])


def build_rootfs(build: Build, spec: RootFS) -> None:
    debs = download(spec.packages, spec.arch)
    root = build.work / f"rootfs-{spec.arch}"
    unpack_debs(debs.values(), root)
    write_vendor_files(root, spec.arch)
    name = f"rootfs-{spec.arch}.squashfs"
    image = build.work / name
    image.unlink(missing_ok=True)
    run(
        [
            "mksquashfs",
            str(root),
            str(image),
            "-comp",
            spec.compression,
            "-noappend",
            "-no-progress",
            "-all-root",
            "-mkfs-time",
            "0",
            "-all-time",
            "0",
        ]
    )
    build.truth += truth_of_tree(name, root)
    build.parts.append(Part(name, f"squashfs-{spec.compression}", image, spec.arch))
    log(f"{name}: {image.stat().st_size / 2**20:.1f} MiB")


def write_vendor_files(root: Path, arch: str) -> None:
    """A few files that only this firmware has: a banner, a version file, init scripts."""
    etc = root / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "vendor-release").write_text(f"VENDOR_OS=NetEdge\nVERSION=4.2.1\nARCH={arch}\n")
    (etc / "banner").write_text(f"NetEdge 4.2.1 ({arch}) - authorised use only\n")
    initd = etc / "init.d"
    initd.mkdir(exist_ok=True)
    for service in ("dnsmasq", "dropbear", "firewall", "network", "sysntpd"):
        script = initd / service
        script.write_text(f'#!/bin/sh\n# {service} for {arch}\nexec /usr/sbin/{service} "$@"\n')
        script.chmod(0o755)


def build_kernel(build: Build) -> None:
    arch, package, member = KERNEL_PACKAGE
    deb = download([package], arch)[package]
    root = build.work / "kernel-src"
    unpack_debs([deb], root)
    vmlinux = build.work / "vmlinux"
    shutil.copyfile(root / member, vmlinux)
    compressed = build.work / "vmlinux.gz"
    compressed.write_bytes(gzip.compress(vmlinux.read_bytes(), 9, mtime=0))
    uimage = build.work / "uImage"
    run(
        [
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
            "0x80008000",
            "-e",
            "0x80008000",
            "-n",
            "Linux-6.1.0-netedge",
            "-d",
            str(compressed),
            str(uimage),
        ]
    )
    build.truth.append(TruthFile("uImage", "vmlinux", vmlinux.stat().st_size, sha256_file(vmlinux)))
    build.parts.append(Part("uImage", "uimage-gzip", uimage, "armhf"))


def build_initramfs(build: Build) -> None:
    arch, packages = INITRAMFS
    root = build.work / "initramfs"
    unpack_debs(download(packages, arch).values(), root)
    init = root / "init"
    init.write_text(
        "#!/bin/busybox sh\nmount -t proc proc /proc\nexec switch_root /new /sbin/init\n"
    )
    init.chmod(0o755)
    for folder in ("proc", "sys", "dev", "new"):
        (root / folder).mkdir(exist_ok=True)
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    listing = ("\n".join(names) + "\n").encode()
    archive = run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root, stdin=listing)
    image = build.work / "initramfs.cpio.gz"
    image.write_bytes(gzip.compress(archive, 9, mtime=0))
    build.truth += truth_of_tree("initramfs.cpio.gz", root)
    build.parts.append(Part("initramfs.cpio.gz", "cpio-newc-gzip", image, arch))


def build_config(build: Build) -> None:
    root = build.work / "config"
    if root.exists():
        shutil.rmtree(root)
    write_config_tree(root, random.Random(4242))
    image = build.work / "config.jffs2"
    run(
        [
            "mkfs.jffs2",
            "--little-endian",
            "--eraseblock=0x10000",
            "--no-cleanmarkers",
            "--pad=0x100000",
            f"--root={root}",
            f"--output={image}",
        ]
    )
    build.truth += truth_of_tree("config.jffs2", root)
    build.parts.append(Part("config.jffs2", "jffs2-le", image))


def write_config_tree(root: Path, rng: random.Random) -> None:
    """OpenWrt-like configuration: UCI files, keys, certificates (random bytes stand in)."""
    uci = root / "etc" / "config"
    uci.mkdir(parents=True)
    for index in range(60):
        lines = [f"config interface 'lan{index}'", f"\toption ipaddr '10.{index}.0.1'"]
        lines += [f"\toption mtu '{rng.randint(1280, 9000)}'", f"\toption vlan '{index + 100}'"]
        (uci / f"iface{index:02d}").write_text("\n".join(lines) + "\n")
    keys = root / "etc" / "keys"
    keys.mkdir()
    for index in range(20):
        (keys / f"host{index:02d}.key").write_bytes(rng.randbytes(rng.randint(600, 4000)))
        (keys / f"host{index:02d}.crt").write_text(
            "-----BEGIN CERTIFICATE-----\n"
            + rng.randbytes(900).hex()
            + "\n-----END CERTIFICATE-----\n"
        )
    (root / "etc" / "shadow").write_text(
        "root:$6$netedge$" + rng.randbytes(32).hex() + ":19000::::::\n"
    )


def build_overlay(build: Build) -> None:
    arch, packages = OVERLAY
    root = build.work / "overlay"
    unpack_debs(download(packages, arch).values(), root / "upper")
    logs = root / "upper" / "var" / "log"
    logs.mkdir(parents=True, exist_ok=True)
    rng = random.Random(99)
    for index in range(8):
        lines = (
            f"Jan {index + 1:2d} 00:00:{n % 60:02d} kernel: eth{n % 4}: {rng.random()}"
            for n in range(3000)
        )
        (logs / f"messages.{index}").write_text("\n".join(lines) + "\n")
    (root / "work").mkdir()
    image = build.work / "overlay.ext4"
    image.unlink(missing_ok=True)
    run(
        [
            "mkfs.ext4",
            "-q",
            "-F",
            "-L",
            "overlay",
            "-E",
            "root_owner=0:0",
            "-d",
            str(root),
            str(image),
            "32M",
        ]
    )
    build.truth += truth_of_tree("overlay.ext4", root)
    build.parts.append(Part("overlay.ext4", "ext4", image, arch))


def build_bundle(build: Build) -> None:
    arch, packages = BUNDLE_DEBS
    debs = download(packages, arch)
    root = build.work / "bundle"
    if root.exists():
        shutil.rmtree(root)
    pkgs = root / "packages"
    pkgs.mkdir(parents=True)
    for deb in debs.values():
        target = pkgs / deb.name.replace("%3a", "_")
        shutil.copyfile(deb, target)
        payload_truth(build, f"update-bundle/packages/{target.name}", deb)
    ipk_arch, ipk_packages = BUNDLE_IPKS
    for deb in download(ipk_packages, ipk_arch).values():
        ipk = pkgs / (deb.name.removesuffix(".deb").replace("%3a", "_") + ".ipk")
        make_ipk(build, deb, ipk)
    (root / "manifest.txt").write_text(
        "".join(f"{p.name} {sha256_file(p)}\n" for p in sorted(pkgs.iterdir()))
    )
    image = build.work / "update-bundle.tar.gz"
    with tarfile.open(image, "w:gz", compresslevel=6) as archive:
        archive.add(root, arcname=".", filter=_normalise)
    build.truth += truth_of_tree("update-bundle", root)
    build.parts.append(Part("update-bundle.tar.gz", "tar-gzip", image))


def payload_truth(build: Build, container: str, deb: Path) -> None:
    root = build.work / "payload"
    unpack_debs([deb], root)
    build.truth += truth_of_tree(container, root)


def make_ipk(build: Build, deb: Path, ipk: Path) -> None:
    """An OpenWrt package: a gzip'd tar of debian-binary, control.tar.gz and data.tar.gz."""
    data_root = build.work / "ipk-data"
    unpack_debs([deb], data_root)
    control_root = build.work / "ipk-control"
    if control_root.exists():
        shutil.rmtree(control_root)
    run(["dpkg-deb", "-e", str(deb), str(control_root)])
    members = {
        "debian-binary": b"2.0\n",
        "control.tar.gz": tar_gz_of(control_root),
        "data.tar.gz": tar_gz_of(data_root),
    }
    with tarfile.open(ipk, "w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    build.truth += truth_of_tree(f"update-bundle/packages/{ipk.name}", data_root)


def tar_gz_of(root: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(root, arcname=".", filter=_normalise)
    return buffer.getvalue()


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = 0
    return info


# --- the raw image ---------------------------------------------------------------------------


def pad_to(handle: io.BufferedWriter, boundary: int) -> None:
    gap = -handle.tell() % boundary
    handle.write(b"\xff" * gap)


def vendor_header(parts: list[Part], total: int) -> bytes:
    """Magic, sizes, a partition table of (name, offset, size, crc32), then the header's CRC."""
    body = HEADER_MAGIC + struct.pack(">III", 1, total, len(parts))
    body += b"NetEdge-X9000\x00\x00\x00" + b"4.2.1-build1789\x00"
    for part in parts:
        crc = zlib.crc32(part.path.read_bytes())
        body += struct.pack(">16sIII", part.name.encode()[:16], part.offset, part.size, crc)
    body = body.ljust(HEADER_SIZE - 4, b"\x00")
    return body + struct.pack(">I", zlib.crc32(body))


def assemble(build: Build, image: Path) -> None:
    with open(image, "wb") as handle:
        handle.write(b"\x00" * HEADER_SIZE)
        for index, part in enumerate(build.parts):
            if index:
                pad_to(handle, ALIGN)
            part.offset = handle.tell()
            part.size = part.path.stat().st_size
            with open(part.path, "rb") as source:
                shutil.copyfileobj(source, handle, 1 << 20)
        pad_to(handle, ALIGN)
        handle.write(random.Random(7).randbytes(256))
        total = handle.tell()
        handle.seek(0)
        handle.write(vendor_header(build.parts, total))


# --- driver ----------------------------------------------------------------------------------


def recipe_key() -> str:
    recipe = json.dumps(
        [
            RECIPE_VERSION,
            [asdict(r) for r in ROOTFS],
            KERNEL_PACKAGE,
            INITRAMFS,
            BUNDLE_DEBS,
            BUNDLE_IPKS,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(recipe.encode() + Path(__file__).read_bytes()).hexdigest()[:16]


def timed(build: Build, label: str, step: Callable[..., None], *args: object) -> None:
    start = time.monotonic()
    step(build, *args)
    build.timings[label] = round(time.monotonic() - start, 2)
    log(f"{label}: {build.timings[label]:.1f} s")


def build_all(image: Path, truth_path: Path) -> dict[str, object]:
    start = time.monotonic()
    build = Build(WORK / "build")
    build.work.mkdir(parents=True, exist_ok=True)
    arches = {r.arch for r in ROOTFS} | {KERNEL_PACKAGE[0], INITRAMFS[0], BUNDLE_DEBS[0]}
    arches |= {BUNDLE_IPKS[0], OVERLAY[0]}
    ensure_architectures(arches)
    timed(build, "kernel", build_kernel)
    for spec in ROOTFS:
        timed(build, f"rootfs-{spec.arch}", build_rootfs, spec)
    timed(build, "initramfs", build_initramfs)
    timed(build, "config", build_config)
    timed(build, "overlay", build_overlay)
    timed(build, "bundle", build_bundle)
    assemble(build, image)
    return write_truth(build, image, truth_path, time.monotonic() - start)


def write_truth(build: Build, image: Path, truth_path: Path, seconds: float) -> dict[str, object]:
    document: dict[str, object] = {
        "recipe": recipe_key(),
        "image": str(image),
        "image_size": image.stat().st_size,
        "image_sha256": sha256_file(image),
        "build_seconds": round(seconds, 1),
        "download_seconds": round(sum(DOWNLOAD_SECONDS), 1),
        "step_seconds": build.timings,
        "unpacked_bytes": sum(f.size for f in build.truth),
        "file_count": len(build.truth),
        "unique_sha256": len({f.sha256 for f in build.truth}),
        "parts": [
            {"name": p.name, "kind": p.kind, "arch": p.arch, "offset": p.offset, "size": p.size}
            for p in build.parts
        ],
        "files": [asdict(f) for f in build.truth],
    }
    truth_path.write_text(json.dumps(document, indent=1) + "\n")
    return document


def is_current(image: Path, truth_path: Path) -> bool:
    if not (image.exists() and truth_path.exists()):
        return False
    document = json.loads(truth_path.read_text())
    return bool(
        document.get("recipe") == recipe_key()
        and image.stat().st_size == document.get("image_size")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--image", type=Path, default=WORK / "firmware.bin")
    parser.add_argument("--truth", type=Path, default=WORK / "ground_truth.json")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if not args.force and is_current(args.image, args.truth):
        log(f"{args.image} is up to date (use --force to rebuild)")
        return 0
    document = build_all(args.image, args.truth)
    log(
        f"{args.image}: {document['image_size']} bytes, {document['file_count']} files, "
        f"{int(str(document['unpacked_bytes'])) / 2**20:.1f} MiB unpacked content, "
        f"built in {document['build_seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
