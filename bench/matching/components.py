"""The benchmark's 1,000 components, all with real versions taken from the shipped data.

- Upstream components: every product of the data's manifest but the kernel, each in versions that
  occur in its records' vulnerable CPE entries (exact versions, and range bounds: releases the
  NVD named), spread from oldest to newest.
- Kernels: stable releases named in the kernel records' `kernel_fixed_in`, spread over branches.
- Debian packages (`pkg:deb/debian/…?distro=debian-N`): the fixed versions Debian's security
  tracker lists in the records' `osv_affected` (real package versions of real releases).
"""

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assay.catalog.metadata.products import product_table
from assay.model.component import Component, ComponentType, Confidence
from assay.vuln.memory_source import read_jsonl

DATA = Path(__file__).resolve().parents[2] / "src" / "assay" / "data" / "vulndata"
MAIN_FILE = DATA / "nvd-subset.jsonl.gz"
KERNEL_FILE = DATA / "nvd-subset-linux-kernel.jsonl.gz"
RELEASE = re.compile(r"[0-9]+(\.[0-9]+)+[a-z]?")
PATCH_UPDATE = re.compile(r"p[0-9]+")
PATCH_IN_UPDATE = frozenset({"openssh", "sudo", "ntp"})
DEBIAN_RELEASE = re.compile(r"Debian:([0-9]+)$")


def manifest_products() -> dict[str, list[str]]:
    """Each product of the shipped data and its NVD vendor:product names."""
    manifest = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    return {str(k): list(v) for k, v in manifest["products"].items()}


def component(product: str, version: str, purl: str | None = None) -> Component:
    """A component as identification makes it (a Debian package when it has a purl)."""
    return Component(
        id=f"{product}:{version}:{purl or ''}",
        product=product,
        name=product,
        version=version,
        type=ComponentType.LIBRARY,
        purl=purl,
        cpes=(),
        found_by=("bench",),
        confidence=Confidence.HIGH,
        evidence=(),
        ecosystem="deb" if purl else None,
    )


def _entries(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for config in record.get("configurations") or ():
        for node in config.get("nodes", ()):
            yield from node.get("cpeMatch", ())


def _name(entry: dict[str, Any]) -> str:
    fields = re.split(r"(?<!\\):", str(entry.get("criteria", "")))
    return f"{fields[3]}:{fields[4]}".lower() if len(fields) > 4 else ""


def _entry_versions(entry: dict[str, Any], patch_in_update: bool) -> Iterator[str]:
    fields = re.split(r"(?<!\\):", str(entry.get("criteria", "")))
    if len(fields) < 7:
        return
    version, update = fields[5], fields[6]
    if update in ("*", "-"):
        yield version
    elif patch_in_update and PATCH_UPDATE.fullmatch(update):
        yield version + update
    for key in ("versionStartIncluding", "versionEndIncluding", "versionEndExcluding"):
        if entry.get(key):
            yield str(entry[key])


def _sort_key(version: str) -> tuple[tuple[int, ...], str]:
    return tuple(int(n) for n in re.findall(r"[0-9]+", version)), version


def real_versions() -> dict[str, list[str]]:
    """Each upstream product's release versions named in its records, oldest first."""
    products = manifest_products()
    product_of = {n: p for p, names in products.items() for n in names if p != "linux_kernel"}
    found: dict[str, set[str]] = defaultdict(set)
    for record in read_jsonl(MAIN_FILE):
        for entry in _entries(record):
            product = product_of.get(_name(entry))
            if product is None or not entry.get("vulnerable"):
                continue
            for version in _entry_versions(entry, product in PATCH_IN_UPDATE):
                if RELEASE.fullmatch(version) or (
                    product in PATCH_IN_UPDATE and re.fullmatch(r"[0-9.]+p[0-9]+", version)
                ):
                    found[product].add(version)
    return {p: sorted(v, key=_sort_key) for p, v in sorted(found.items())}


def spread(items: list[str], count: int) -> list[str]:
    """`count` items spread evenly over the list (all of them when it is shorter)."""
    if len(items) <= count:
        return list(items)
    step = (len(items) - 1) / max(count - 1, 1)
    return list(dict.fromkeys(items[round(i * step)] for i in range(count)))


def kernel_versions(count: int) -> list[str]:
    """Stable kernel releases named as fixes, spread over branches and releases."""
    found = set()
    for record in read_jsonl(KERNEL_FILE):
        fixed = record.get("kernel_fixed_in") or {}
        values = fixed.values() if isinstance(fixed, dict) else fixed
        found |= {str(v) for v in values if RELEASE.fullmatch(str(v))}
    return spread(sorted(found, key=_sort_key), count)


def debian_packages(count: int) -> list[Component]:
    """Debian packages at versions Debian's tracker lists as fixes, one product after another."""
    table = product_table()
    by_product: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for record in read_jsonl(MAIN_FILE):
        for affected in record.get("osv_affected", ()):
            package = str(affected.get("package", ""))
            product = table.product(package)
            releases = [DEBIAN_RELEASE.match(e) for e in affected.get("ecosystems", ())]
            if product is None or not any(releases):
                continue
            release = next(m[1] for m in releases if m)
            for rng in affected.get("ranges", ()):
                for event in rng.get("events", ()):
                    fixed = str(event.get("fixed", "0"))
                    if fixed != "0":
                        by_product[product].add((package, fixed, release))
    queues = {p: sorted(v) for p, v in sorted(by_product.items())}
    chosen: list[Component] = []
    while len(chosen) < count and any(queues.values()):
        for product, queue in queues.items():
            if queue and len(chosen) < count:
                package, version, release = queue.pop(len(queue) // 2)
                purl = f"pkg:deb/debian/{package}@{_quote(version)}?distro=debian-{release}"
                chosen.append(component(product, version, purl))
    return chosen


def _quote(version: str) -> str:
    return version.replace("%", "%25").replace("+", "%2B").replace(":", "%3A")


def mix(total: int = 1000, kernels: int = 40, debian: int = 120) -> list[Component]:
    """`total` components: kernels, Debian packages, and upstream products in real versions
    (as many per product as it takes, spread from oldest to newest)."""
    components = [component("linux_kernel", v) for v in kernel_versions(kernels)]
    components += debian_packages(debian)
    versions = real_versions()
    upstream = total - len(components)
    cap = 1
    while sum(min(len(v), cap) for v in versions.values()) < upstream:
        cap += 1
    counts = {p: min(len(v), cap) for p, v in versions.items()}
    excess = sum(counts.values()) - upstream
    for product in sorted(counts):
        if excess > 0 and counts[product] == cap:
            counts[product] -= 1
            excess -= 1
    for product, available in versions.items():
        components += [component(product, v) for v in spread(available, counts[product])]
    return components
