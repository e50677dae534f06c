"""Distribution packages → product keys of the vulnerability data, with their CPE names and the
upstream version a packaged version stands for (rules: assay/data/package-products.yaml)."""

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

PRODUCTS_FILE = "package-products.yaml"
DISTRO_ECOSYSTEMS = frozenset({"deb", "opkg", "apk", "rpm"})
DEB_EPOCH = re.compile(r"^[0-9]+:")
DEB_REPACK = re.compile(r"[.+~](?:dfsg|ds|repack)[0-9]*$")
APK_RELEASE = re.compile(r"-r[0-9]+$")
OPKG_RELEASE = re.compile(r"^(?P<upstream>.+?)-[0-9]+(?:-[0-9a-f]{32})?$")


@dataclass(frozen=True, slots=True)
class ProductTable:
    """Exact names and shell patterns of packages and NVD vendor:product pairs, each with its
    product key; each product's CPE template; and, for products whose source also builds
    packages that are not the product (kernel headers), the binary packages that are."""

    exact: dict[str, str]
    patterns: tuple[tuple[str, str], ...]
    cpes: dict[str, str]
    nvd: dict[str, str]
    binaries: dict[str, tuple[str, ...]]

    def product(self, *names: str | None) -> str | None:
        """The product key of the first name (sources, then the binary package last) that ships
        one, if the binary package (the last name) is one that carries the product."""
        binary = (names[-1] or "").lower() if names else ""
        for name in names:
            product = self._lookup(name.lower()) if name else None
            if product is not None:
                allowed = self.binaries.get(product)
                if allowed and not any(fnmatch.fnmatchcase(binary, p) for p in allowed):
                    return None
                return product
        return None

    def _lookup(self, key: str) -> str | None:
        if key in self.exact:
            return self.exact[key]
        return next((p for pattern, p in self.patterns if fnmatch.fnmatchcase(key, pattern)), None)

    def product_for_cpe(self, cpe: str | None) -> str | None:
        """The product key of the vendor:product of a CPE 2.2 URI or 2.3 name."""
        if not cpe:
            return None
        if cpe.startswith("cpe:/"):
            fields = cpe[len("cpe:/") :].split(":")
        elif cpe.startswith("cpe:2.3:"):
            fields = cpe[len("cpe:2.3:") :].split(":")
        else:
            return None
        return self.nvd.get(":".join(fields[1:3]).lower()) if len(fields) >= 3 else None

    def cpes_for(self, product: str, upstream: str) -> tuple[str, ...]:
        """The product's CPE 2.3 name for an upstream version, if the product has one."""
        template = self.cpes.get(product)
        if template is None or not upstream:
            return ()
        escaped = re.sub(r"([^A-Za-z0-9._-])", r"\\\1", upstream)
        return (template.replace("{version}", escaped),)


@cache
def product_table() -> ProductTable:
    """The table shipped in `assay/data/package-products.yaml`, parsed once per process."""
    text = resources.files("assay.data").joinpath(PRODUCTS_FILE).read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["products"]
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for product, entry in entries.items():
        for name in entry["names"]:
            if any(c in name for c in "*?["):
                patterns.append((name, product))
            else:
                exact[name] = product
    cpes = {product: entry["cpe"] for product, entry in entries.items()}
    nvd = {pair: product for product, entry in entries.items() for pair in entry["nvd"]}
    binaries = {
        product: tuple(entry["binaries"])
        for product, entry in entries.items()
        if "binaries" in entry
    }
    return ProductTable(exact, tuple(patterns), cpes, nvd, binaries)


def upstream_version(ecosystem: str, version: str) -> str:
    """The upstream release a packaged version was built from: no epoch, no packaging revision
    (`1:1.2.13.dfsg-1+b1` → `1.2.13`, `3.1.4-r5` → `3.1.4`, `3.0.13-1` → `3.0.13`)."""
    if ecosystem == "deb":
        plain = DEB_EPOCH.sub("", version).rpartition("-")[0] or DEB_EPOCH.sub("", version)
        if "really" in plain:
            plain = plain.rsplit("really", 1)[1]
        return DEB_REPACK.sub("", re.split(r"[+~]", plain)[0])
    if ecosystem == "apk":
        return APK_RELEASE.sub("", version).replace("_p", "p")
    if ecosystem == "opkg":
        match = OPKG_RELEASE.match(version)
        return match["upstream"] if match else version
    if ecosystem == "rpm":
        return DEB_EPOCH.sub("", version).rpartition("-")[0] or DEB_EPOCH.sub("", version)
    return version
