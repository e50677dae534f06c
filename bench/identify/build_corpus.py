"""Builds the identification benchmark's corpus and ground truth (`bench/work/identify/`).

The corpus is real code only: Debian 12 packages for amd64, arm64, armhf and mipsel, fetched with
`apt-get download pkg:arch` and unpacked with `dpkg-deb -x`, and PyPI wheels that bundle native
libraries (`pip download --only-binary=:all: --platform manylinux2014_x86_64`), unzipped. All
package metadata is removed, so only the payload files remain (see METADATA). The ground truth
says which (product, upstream version) each of the products' own files is:

* Debian: the package's own `Version` field with the epoch, the Debian revision and repack
  suffixes stripped (`1:2.36-9+deb12u4` -> `2.36`, `2.9.14+dfsg-1.3` -> `2.9.14`), for every ELF
  file of the package; those `packages.py` names are its `main` files, on which recall is
  measured (the others, plugins and helpers, count for precision only).
* Wheels: each bundled library asked for its version through its own API (probe_wheel.py), the
  CycloneDX SBOMs the wheels carry (auditwheel's, of the CentOS 7 RPMs it grafted, and
  cryptography's, of the OpenSSL it links statically), and the wheel's own name and version for
  its extension modules. Read before the `.dist-info` folder is removed.

`identifiable` says whether the version text appears at all in the file's bytes: a tool that
reads version strings cannot find a version that is not there.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packages import ARCHES, EMBEDDED, PACKAGES, VERSION_FIXES, WHEELS, Package, Wheel

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / "work" / "identify"
CORPUS = WORK / "corpus"
TRUTH = WORK / "ground_truth.json"
METADATA = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/lintian",
    "usr/share/bug",
    "usr/share/doc-base",
    "usr/share/locale",
    "var/lib/dpkg",
)
# auditwheel SBOM: RPM name -> (product, file-name globs of the grafted libraries)
RPM_PRODUCTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "krb5-libs": ("krb5", ("libkrb5-*", "libk5crypto-*", "libgssapi_krb5-*", "libkrb5support-*")),
    "libcom_err": ("e2fsprogs", ("libcom_err-*",)),
    "libselinux": ("libselinux", ("libselinux-*",)),
    "keyutils-libs": ("keyutils", ("libkeyutils-*",)),
    "pcre": ("pcre", ("libpcre-*",)),
    "cyrus-sasl-lib": ("cyrus-sasl", ("libsasl2-*",)),
    "libXau": ("libxau", ("libXau-*",)),
}
# wheel project -> (product key, glob of its own extension modules)
WHEEL_OWN: dict[str, tuple[str, str]] = {
    "cryptography": ("cryptography", "cryptography/*.so"),
    "psycopg2-binary": ("psycopg2", "psycopg2/*.so"),
    "pillow": ("pillow", "PIL/*.so"),
    "lxml": ("lxml", "lxml/*.so"),
}
# bundled files whose version nothing in the wheel states: detections there are not scored
UNKNOWN = {
    "libcrypt-*": "libxcrypt from the manylinux image: no version API, not in the SBOM",
    "libxcb-*": "libxcb built by Pillow's wheel script: no version API, not in the SBOM",
}


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[build_corpus] {message}", file=sys.stderr, flush=True)


def run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output; never raises on a non-zero exit."""
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)


def upstream_version(debian_version: str, product: str) -> str:
    """Debian `[epoch:]upstream[-revision]` -> upstream, without repack suffixes."""
    version = debian_version.split(":", 1)[-1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    version = re.sub(r"[+~.](?:dfsg|ds|repack)[0-9a-z.]*$", "", version)
    if product in VERSION_FIXES:
        pattern, replacement = VERSION_FIXES[product]
        version = re.sub(pattern, replacement, version)
    return version


# --- Debian -------------------------------------------------------------------------------------


def ensure_arches() -> None:
    """Enable the foreign architectures apt needs to download packages for."""
    native = run(["dpkg", "--print-architecture"]).stdout.strip()
    foreign = set(run(["dpkg", "--print-foreign-architectures"]).stdout.split())
    missing = sorted(set(ARCHES) - foreign - {native})
    for arch in missing:
        log(f"dpkg --add-architecture {arch}")
        run(["dpkg", "--add-architecture", arch])
    if missing:
        done = run(["apt-get", "update"])
        if done.returncode:
            log("apt-get update reported errors (a mirror in sync); downloads are checked")


def cached_deb(folder: Path, name: str, arch: str) -> Path | None:
    """The newest downloaded .deb of a package, if any."""
    found = [*folder.glob(f"{name}_*_{arch}.deb"), *folder.glob(f"{name}_*_all.deb")]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def fetch_debs(arch: str) -> dict[str, Path]:
    """Every package of the recipe for one architecture, downloaded into the cache."""
    folder = WORK / "debs" / arch
    folder.mkdir(parents=True, exist_ok=True)
    names = sorted({p.name for p in PACKAGES})
    missing = [n for n in names if cached_deb(folder, n, arch) is None]
    if missing:
        log(f"apt-get download {len(missing)} packages for {arch}")
        if run(["apt-get", "download", *(f"{n}:{arch}" for n in missing)], folder).returncode:
            for name in missing:
                run(["apt-get", "download", f"{name}:{arch}"], folder)
    debs = {n: cached_deb(folder, n, arch) for n in names}
    return {n: d for n, d in debs.items() if d is not None}


def strip_metadata(root: Path) -> None:
    """Remove documentation, changelogs and package-manager records: only the payload stays."""
    for part in METADATA:
        shutil.rmtree(root / part, ignore_errors=True)
    for listing in root.rglob("*.list"):
        listing.unlink()
    folders = (p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())
    for folder in sorted(folders, reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def elf_files(root: Path) -> Iterator[Path]:
    """Regular (not symlinked) ELF files under a folder."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def owns(package: Package, relative: str) -> bool:
    """Whether a file of the package is one of the product's own files."""
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(relative if "/" in g else name, g) for g in package.files)


def truth_row(path: Path, product: str, version: str, **extra: Any) -> dict[str, Any]:
    """One ground-truth entry: a file, the product it is, the version, and how that is known."""
    data = path.read_bytes()
    return {
        "path": path.relative_to(CORPUS).as_posix(),
        "product": product,
        "version": version,
        "identifiable": version.encode() in data,
        "size": len(data),
        **extra,
    }


def unpack_deb(deb: Path, package: Package, arch: str) -> list[dict[str, Any]]:
    """Unpack one package without its metadata; the truth rows for its own files."""
    fields = run(["dpkg-deb", "-f", str(deb), "Version"]).stdout.strip()
    version = upstream_version(fields, package.product)
    dest = CORPUS / "debian" / arch / package.name
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if run(["dpkg-deb", "-x", str(deb), str(dest)]).returncode:
        raise RuntimeError(f"dpkg-deb -x {deb} failed")
    strip_metadata(dest)
    meta = {"origin": "debian", "arch": arch, "package": package.name, "package_version": fields}
    return [
        truth_row(path, package.product, version, method="Debian package Version", **meta)
        | {"role": "main" if owns(package, path.relative_to(dest).as_posix()) else "other"}
        for path in elf_files(dest)
    ]


def build_debian(arches: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Fetch and unpack every package for every architecture: truth rows and misses."""
    ensure_arches()
    rows: list[dict[str, Any]] = []
    misses: list[dict[str, str]] = []
    for arch in arches:
        debs = fetch_debs(arch)
        for package in PACKAGES:
            deb = debs.get(package.name)
            if deb is None:
                misses.append({"package": package.name, "arch": arch, "reason": "not in apt"})
                continue
            found = unpack_deb(deb, package, arch)
            rows += found
            if not any(row["role"] == "main" for row in found):
                misses.append({"package": package.name, "arch": arch, "reason": "no own file"})
    return rows, misses


# --- wheels -------------------------------------------------------------------------------------


def fetch_wheel(wheel: Wheel) -> Path:
    """The wheel for CPython 3.11 on manylinux2014 x86_64, downloaded into the cache."""
    folder = WORK / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    stem = wheel.project.replace("-", "_")
    found = sorted(folder.glob(f"{stem}-{wheel.version}-*.whl"))
    if not found:
        argv = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        argv += ["--only-binary=:all:", "--platform", "manylinux2014_x86_64"]
        argv += ["--python-version", "3.11", "--implementation", "cp", "-d", str(folder)]
        done = run([*argv, f"{wheel.project}=={wheel.version}"])
        if done.returncode:
            raise RuntimeError(f"pip download {wheel.project}: {done.stderr[-400:]}")
        found = sorted(folder.glob(f"{stem}-{wheel.version}-*.whl"))
    return found[0]


def sbom_components(dist_info: Path) -> Iterator[dict[str, Any]]:
    """The components of every CycloneDX SBOM in a wheel's `.dist-info/sboms/`."""
    for sbom in sorted((dist_info / "sboms").glob("*.json")):
        yield from json.loads(sbom.read_text()).get("components", [])


def sbom_rows(root: Path, dist_info: Path) -> list[dict[str, Any]]:
    """Truth rows from the wheel's SBOMs: grafted RPMs, and OpenSSL when it is linked in."""
    rows = []
    files = list(elf_files(root))
    for component in sbom_components(dist_info):
        name, version = component.get("name", ""), component.get("version", "")
        if name in RPM_PRODUCTS:
            product, globs = RPM_PRODUCTS[name]
            targets = [p for p in files if any(fnmatch.fnmatch(p.name, g) for g in globs)]
            version = version.split("-", 1)[0]
        elif name == "openssl" and component.get("purl", "").startswith("pkg:generic/"):
            product = "openssl"
            targets = [p for p in files if p.name.startswith("_rust")]
        else:
            continue
        method = f"wheel SBOM {dist_info.name}/sboms: {component.get('purl')}"
        rows += [truth_row(p, product, version, method=method) for p in targets]
    return rows


def probe_rows(root: Path) -> list[dict[str, Any]]:
    """Truth rows from the bundled libraries' own version APIs (probe_wheel.py, own process)."""
    done = run([sys.executable, str(HERE / "probe_wheel.py"), str(root)])
    if done.returncode:
        raise RuntimeError(f"probe_wheel.py {root}: {done.stderr[-800:]}")
    return [
        truth_row(root / r["path"], r["product"], r["version"], method=r["method"])
        for r in json.loads(done.stdout)
    ]


def own_rows(root: Path, wheel: Wheel) -> list[dict[str, Any]]:
    """The wheel's own extension modules: its own project and version."""
    product, pattern = WHEEL_OWN[wheel.project]
    return [
        truth_row(p, product, wheel.version, method="wheel name and version", origin="wheel-own")
        for p in elf_files(root)
        if fnmatch.fnmatch(p.relative_to(root).as_posix(), pattern)
    ]


def merge_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (file, product); two sources that disagree on a version stop the build."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["path"], row["product"])
        if key in merged and merged[key]["version"] != row["version"]:
            raise RuntimeError(f"conflicting truth for {key}: {merged[key]} vs {row}")
        if key in merged:
            merged[key]["method"] += "; " + row["method"]
        else:
            merged[key] = row
    return list(merged.values())


def build_wheel(wheel: Wheel) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Unzip one wheel, read its truth, remove its metadata: truth rows and unscored files."""
    archive = fetch_wheel(wheel)
    root = CORPUS / "pypi" / archive.stem
    shutil.rmtree(root, ignore_errors=True)
    with zipfile.ZipFile(archive) as handle:
        handle.extractall(root)
    (dist_info,) = root.glob("*.dist-info")
    bundled = merge_rows(sbom_rows(root, dist_info) + probe_rows(root))
    for row in bundled:
        row.update(origin="wheel-bundled", wheel=archive.name, role="main")
    own = own_rows(root, wheel)
    for row in own:
        row.update(wheel=archive.name, role="main")
    shutil.rmtree(dist_info)
    unscored = [
        {"path": p.relative_to(CORPUS).as_posix(), "product": "*", "reason": reason}
        for p in elf_files(root)
        for pattern, reason in UNKNOWN.items()
        if fnmatch.fnmatch(p.name, pattern)
    ]
    return bundled + own, unscored


# --- main ---------------------------------------------------------------------------------------


def recipe_digest() -> str:
    """A digest of the recipe: the corpus is rebuilt when it changes."""
    digest = hashlib.sha256()
    for name in ("packages.py", "build_corpus.py", "probe_wheel.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


def main() -> None:
    """Build the corpus and write ground_truth.json (skipped when the recipe is unchanged)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--arches", default=",".join(ARCHES), help="Debian architectures")
    args = parser.parse_args()
    digest = recipe_digest()
    if not args.force and TRUTH.exists() and json.loads(TRUTH.read_text())["recipe"] == digest:
        log(f"corpus up to date: {CORPUS}")
        return
    started = time.monotonic()
    shutil.rmtree(CORPUS, ignore_errors=True)
    rows, misses = build_debian(tuple(args.arches.split(",")))
    unscored: list[dict[str, str]] = []
    for wheel in WHEELS:
        wheel_rows, wheel_unscored = build_wheel(wheel)
        rows += wheel_rows
        unscored += wheel_unscored
    unscored += [{"path": glob, "product": name, "reason": why} for glob, name, why in EMBEDDED]
    truth = {"recipe": digest, "corpus": str(CORPUS), "files": rows}
    truth.update(misses=misses, unscored=unscored)
    TRUTH.write_text(json.dumps(truth, indent=1) + "\n")
    paths = {r["path"] for r in rows}
    log(f"{len(rows)} truth rows over {len(paths)} files, {len(misses)} misses, ")
    log(f"built in {time.monotonic() - started:.0f} s: {TRUTH}")


if __name__ == "__main__":
    main()
