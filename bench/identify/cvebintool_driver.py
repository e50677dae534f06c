"""Runs cve-bin-tool's version scanner alone over a tree, offline, and writes what it found as JSON.

Run with the Python of cve-bin-tool's own venv: `python cvebintool_driver.py TREE OUT.json`.
This is the scanning half of `cve-bin-tool TREE` (cli.py builds the same VersionScanner with its
defaults: extraction on, validation on, all built-in checkers) without the NVD download and the
CVE look-up that follow, which need the network and are no part of identification. Each result
is (file, vendor, product, version); a hit inside an archive the scanner unpacked is credited to
the outer file, the first entry of cve-bin-tool's own file stack.

Offline: the sqlite checker downloads a map of SQLITE_SOURCE_ID -> version from sqlite.org when
its module is imported (cached for 30 days in ~/.cache/cve-bin-tool/version_map.db), and its
import fails without the network. The driver seeds that cache with an EMPTY, fresh map, so the
sqlite checker runs with its plain version patterns only (see README).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import time
from pathlib import Path


def seed_sqlite_map() -> None:
    """An empty, fresh sqlite version map, so importing the checkers needs no network."""
    cache = Path("~").expanduser() / ".cache" / "cve-bin-tool"
    cache.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(cache / "version_map.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS sqlite(version TEXT, sourceId TEXT PRIMARY KEY)")
        db.execute("CREATE TABLE IF NOT EXISTS latest_update_sqlite(datestamp DATETIME UNIQUE)")
        if db.execute("SELECT COUNT(*) FROM latest_update_sqlite").fetchone()[0] == 0:
            db.execute("INSERT INTO latest_update_sqlite VALUES (?)", (time.time(),))


def main() -> None:
    """Scan the tree and write {seconds, files, checkers, results}."""
    tree, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    seed_sqlite_map()
    from cve_bin_tool.log import LOGGER  # type: ignore[import-not-found]
    from cve_bin_tool.version_scanner import VersionScanner  # type: ignore[import-not-found]

    LOGGER.setLevel(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    started = time.monotonic()
    scanner = VersionScanner(should_extract=True)
    results = []
    for info in scanner.recursive_scan(str(tree)):
        outer = info.file_path.split(" contains ", 1)[0].strip()
        product = info.product_info
        results.append(
            {
                "path": Path(outer).resolve().relative_to(tree).as_posix(),
                "vendor": product.vendor,
                "product": product.product,
                "version": product.version,
            }
        )
    report = {
        "seconds": time.monotonic() - started,
        "files": scanner.total_scanned_files,
        "checkers": scanner.number_of_checkers(),
        "results": results,
    }
    out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
