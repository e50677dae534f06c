"""Matching speed on the shipped vulnerability data: a firmware-like release of ~100 components.

Prints (component, CVE) candidate pairs per second, cold (first pass: records parsed) and warm
(a second release matched with the same Matcher), and the slowest components.

    .venv/bin/python bench/matching/run_matching.py
"""

import json
import time
from pathlib import Path

from assay.model.component import Component, ComponentType, Confidence
from assay.vuln.aliases import product_names
from assay.vuln.matcher import Matcher
from assay.vuln.memory_source import MemorySource

DATA = Path(__file__).resolve().parents[2] / "src" / "assay" / "data" / "vulndata"
UPSTREAM = {
    "linux_kernel": ["4.14.180", "5.10.90"],
    "openssl": ["1.0.2k", "1.1.1w", "3.0.11"],
    "busybox": ["1.31.1", "1.36.1"],
    "dropbear": ["2020.81", "2022.83"],
    "openssh": ["8.4p1", "9.2p1"],
    "curl": ["7.68.0", "7.88.1"],
    "glibc": ["2.31", "2.36"],
    "sudo": ["1.8.31p2", "1.9.13p3"],
}
OTHER_VERSION = "1.2.3"
DEBIAN = [
    ("curl", "libcurl4", "7.88.1-10+deb12u3"),
    ("openssl", "libssl3", "3.0.11-1~deb12u2"),
    ("busybox", "busybox", "1:1.35.0-4"),
    ("openssh", "openssh-server", "1:9.2p1-2+deb12u2"),
    ("bash", "bash", "5.2.15-2+b2"),
    ("sudo", "sudo", "1.9.13p3-1+deb12u1"),
    ("expat", "libexpat1", "2.5.0-1"),
    ("libxml2", "libxml2", "2.9.14+dfsg-1.3~deb12u1"),
]


def component(product: str, version: str, purl: str | None = None) -> Component:
    """A component as identification makes it (a Debian package when it has a purl)."""
    ecosystem = "deb" if purl else None
    return Component(
        f"{product}:{version}", product, product, version, ComponentType.LIBRARY, purl, (),
        ("bench",), Confidence.HIGH, (), ecosystem=ecosystem,
    )  # fmt: skip


def release() -> list[Component]:
    """Upstream components in two versions, Debian packages, and one of every other product."""
    components = [component(p, v) for p, versions in UPSTREAM.items() for v in versions]
    for product, package, version in DEBIAN:
        purl = f"pkg:deb/debian/{package}@{version.replace('+', '%2B')}?distro=debian-12"
        components.append(component(product, version, purl))
    others = sorted(set(_manifest_products()) - set(UPSTREAM))
    components += [component(p, OTHER_VERSION) for p in others]
    while len(components) < 100:
        components.append(component(others[len(components) % len(others)], "0.9"))
    return components


def _manifest_products() -> list[str]:
    return list(json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["products"])


def candidates(source: MemorySource, product: str) -> int:
    """How many records the matcher weighs for a product (every name, plus the product key)."""
    ids = {r["id"] for r in source.cves_for_product(product)}
    for name in product_names(product).cpe:
        vendor, _, name_product = name.partition(":")
        ids |= {r["id"] for r in source.cves_for_cpe(vendor, name_product)}
    return len(ids)


def run(
    matcher: Matcher, components: list[Component]
) -> tuple[float, float, list[tuple[float, str]]]:
    """Wall-clock and CPU seconds for matching every component, and each component's time."""
    times = []
    start, cpu = time.perf_counter(), time.process_time()
    for item in components:
        begin = time.perf_counter()
        matcher.assess(item)
        times.append((time.perf_counter() - begin, f"{item.product} {item.version}"))
    return time.perf_counter() - start, time.process_time() - cpu, times


def main() -> None:
    """Load the shipped records, then match the release twice and print the rates."""
    begin = time.perf_counter()
    source = MemorySource.from_jsonl(
        DATA / "nvd-subset.jsonl.gz", DATA / "nvd-subset-linux-kernel.jsonl.gz"
    )
    print(f"loaded {len(source)} records in {time.perf_counter() - begin:.2f} s")
    components = release()
    pairs = sum(candidates(source, c.product) for c in components)
    matcher = Matcher(source)
    for label in ("cold", "warm"):
        elapsed, cpu, times = run(matcher, components)
        print(
            f"{label}: {len(components)} components, {pairs} (component, CVE) pairs in "
            f"{elapsed:.2f} s = {pairs / elapsed:,.0f} pairs/s "
            f"(CPU {cpu:.2f} s = {pairs / cpu:,.0f} pairs/s)"
        )
    for seconds, name in sorted(times, reverse=True)[:5]:
        print(f"  {seconds * 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
