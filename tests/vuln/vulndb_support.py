"""Helpers for the vulnerability-database tests: the real feed samples, feed files written in
code (compressed, zipped, broken), and a dump of a database's content for comparisons."""

import atexit
import bz2
import copy
import gzip
import json
import lzma
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from assay.vuln.snapshot import build_snapshot

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "vulndata-samples"
NVD2_SAMPLE = SAMPLES / "nvd-json-2.0_CVE-2019-1653.json"
NVD11_SUDO = SAMPLES / "nvd-json-1.1_CVE-2021-3156.json"
CVE5_CURL = SAMPLES / "cve-json-5_CVE-2023-38545.json"
CVE5_OPENSSH = SAMPLES / "cve-json-5_CVE-2024-6387.json"
OVERRIDE_OPENSSH = SAMPLES / "nvd-json-2.0-override_CVE-2024-6387.json"
OVERRIDE_CURL = SAMPLES / "nvd-json-2.0-override_CVE-2025-0167.json"
OSV_OPENSSL = SAMPLES / "osv_CVE-2022-0778.json"
OSV_BUSYBOX = SAMPLES / "osv_CVE-2021-42374.json"
OSV_YAML = SAMPLES / "osv-oss-fuzz_OSV-2017-1.yaml"
KEV_SAMPLE = SAMPLES / "cisa-kev_excerpt.json"
SAMPLE_CVES = {
    "CVE-2014-6271",
    "CVE-2019-5747",
    "CVE-2020-1967",
    "CVE-2021-3156",
    "CVE-2024-6387",
    "CVE-2025-0167",
    "CVE-2019-1653",
    "CVE-2023-38545",
    "CVE-2021-42374",
    "CVE-2022-0778",
}
_BUILT: list[Path] = []
TABLES = ("cve", "cpe_index", "product_index", "osv", "osv_package", "osv_alias", "kev", "epss")


def load(path: Path) -> Any:
    """A sample as parsed JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, document: object, compression: str = "") -> Path:
    """Write a JSON document, plain or compressed (`gz`, `xz`, `bz2`)."""
    data = json.dumps(document, indent=1).encode()
    packers = {"": bytes, "gz": gzip.compress, "xz": lzma.compress, "bz2": bz2.compress}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(packers[compression](data))
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip archive of the given members."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def nvd2_record(cve_id: str, last_modified: str, score: float, **extra: Any) -> dict[str, Any]:
    """An NVD 2.0 CVE object built on the CVE-2019-1653 sample, with another id, time, score."""
    cve = copy.deepcopy(load(NVD2_SAMPLE))
    cve.update(id=cve_id, lastModified=last_modified, **extra)
    cve["metrics"]["cvssMetricV31"][0]["cvssData"]["baseScore"] = score
    return dict(cve)


def curl_nvd_record() -> dict[str, Any]:
    """An NVD 2.0 record for CVE-2023-38545 with NVD's own analysis (score, CPE range), made in
    code: the shipped snapshot predates NVD's analysis of it."""
    return nvd2_record(
        "CVE-2023-38545",
        "2024-11-21T08:13:52.787",
        9.8,
        weaknesses=[],
        configurations=[
            {
                "nodes": [
                    {
                        "operator": "OR",
                        "negate": False,
                        "cpeMatch": [
                            {
                                "vulnerable": True,
                                "criteria": "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
                                "versionStartIncluding": "7.69.0",
                                "versionEndExcluding": "8.4.0",
                            }
                        ],
                    }
                ]
            }
        ],
    )


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the content tables, sorted: two databases with equal dumps hold the same
    records, indexes, OSV records, KEV entries and EPSS scores."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in TABLES
        }
    finally:
        conn.close()


def shipped_database(dest: Path) -> Path:
    """A copy at `dest` of the database built from the shipped snapshot (built once per test
    process, in a folder removed at exit)."""
    if not _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="assay-vulndb-"))
        atexit.register(shutil.rmtree, folder, True)
        _BUILT.append(folder / "shipped.sqlite")
        build_snapshot(_BUILT[0])
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_BUILT[0], dest)
    return dest
