"""Regenerate `src/assay/data/vulndata/` (assay's shipped vulnerability snapshot) from a vulndata
directory such as `../shared/vulndata`.

The NVD, KEV and OSV files and `manifest.json` are copied unchanged. The EPSS file (2.5 MB for all
CVEs) is filtered to the CVEs present in the two NVD subset files, keeping its `#…` comment line and
its `cve,epss,percentile` header, and written as gzip without a timestamp so that the output is
byte-for-byte reproducible.

Usage: python scripts/build_vulndata.py [VULNDATA_DIR] [DEST_DIR]
"""

import gzip
import io
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO / ".." / "shared" / "vulndata"
DEFAULT_DEST = REPO / "src" / "assay" / "data" / "vulndata"
COPIED = (
    "nvd-subset.jsonl.gz",
    "nvd-subset-linux-kernel.jsonl.gz",
    "known_exploited_vulnerabilities.json.gz",
    "osv-subset.jsonl.gz",
    "manifest.json",
)
NVD_FILES = ("nvd-subset.jsonl.gz", "nvd-subset-linux-kernel.jsonl.gz")
EPSS_SOURCE = "epss_scores.csv.gz"
EPSS_SHIPPED = "epss-subset.csv.gz"


def cve_ids(source: Path) -> set[str]:
    """Every CVE id of the NVD subset files."""
    ids: set[str] = set()
    for name in NVD_FILES:
        with gzip.open(source / name, "rt", encoding="utf-8") as lines:
            ids.update(json.loads(line)["id"] for line in lines if line.strip())
    return ids


def filtered_epss(source: Path, keep: set[str]) -> tuple[bytes, int]:
    """The EPSS CSV with only the rows of `keep` (comment and header lines kept), gzipped."""
    out = io.StringIO()
    rows = 0
    with gzip.open(source / EPSS_SOURCE, "rt", encoding="utf-8", newline="") as lines:
        for line in lines:
            cve = line.split(",", 1)[0]
            if line.startswith("#") or cve == "cve":
                out.write(line)
            elif cve in keep:
                out.write(line)
                rows += 1
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(out.getvalue().encode("utf-8"))
    return packed.getvalue(), rows


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    dest = Path(argv[2]) if len(argv) > 2 else DEFAULT_DEST
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(source / name, dest / name)
    data, rows = filtered_epss(source, cve_ids(source))
    (dest / EPSS_SHIPPED).write_bytes(data)
    print(f"{dest}: copied {len(COPIED)} files, {EPSS_SHIPPED} with {rows} EPSS rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
