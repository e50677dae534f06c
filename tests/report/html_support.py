"""Helpers for the HTML report tests: a release tree with real components, checks' findings and
hostile file names; an HTML parser that collects elements and text; headless Chromium."""

import base64
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from tests.factories.elf_build import build_elf
from tests.factories.version_strings import embedded

TODAY = date(2026, 11, 26)
BASH_43 = embedded(b"by law.\x00\x00\x00@(#)Bash version 4.3.0(1) release GNU\x00\x00\x01")
OPENSSL_102K = embedded(b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00')
OPENSSL_110H = embedded(b'OpenSSL 1.1.0h  27 Mar 2018\x00OPENSSLDIR: "/usr/ssl"\x00')
SCRIPT_NAME = "<script>"
IMG_NAME = "<img src=x onerror=document.body.setAttribute('data-pwned','1')>"
RELEASE_NAME = "<i>release"
HARDENED_SOURCE = """#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    char buffer[64];
    strncpy(buffer, argc > 1 ? argv[1] : "x", sizeof buffer - 1);
    buffer[63] = 0;
    puts(buffer);
    return 0;
}
"""
HARDENED_FLAGS = ("-O2", "-fPIE", "-pie", "-fstack-protector-all", "-Wl,-z,relro,-z,now")
INITTAB = b"::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"


def hardened_elf(work: Path) -> Path:
    """An executable with NX, PIE, full RELRO and a canary, compiled by the host's gcc."""
    return build_elf(HARDENED_SOURCE, work, compiler="gcc", flags=HARDENED_FLAGS)


def build_release(root: Path) -> Path:
    """A root file system: bash 4.3 (Shellshock, in KEV), two copies of OpenSSL 1.0.2k, one of
    1.1.0h in a file with a hostile name, the host's /bin/true (partial RELRO) and a fully
    hardened ELF named `<script>`, a telnet root shell started at boot."""
    release = root / RELEASE_NAME
    files = {
        "bin/bash": BASH_43,
        "lib/libcrypto.so.1.0.0": OPENSSL_102K,
        "usr/lib/libssl.so.1.0.0": OPENSSL_102K + b"libssl",
        f"usr/sbin/{IMG_NAME}": OPENSSL_110H,
        "bin/true": Path("/bin/true").read_bytes(),
        f"usr/bin/{SCRIPT_NAME}": hardened_elf(root / "build").read_bytes(),
        "etc/inittab": INITTAB,
        "etc/init.d/rcS": b"#!/bin/sh\nmount -a\n",
    }
    for name, data in files.items():
        path = release / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o755 if data.startswith((b"\x7fELF", b"#!")) else 0o644)
    return release


def scanned_document(root: Path) -> dict[str, Any]:
    """The evaluation document of the release tree, scanned with every check on a fixed day."""
    evaluation = Evaluator(ScanOptions(today=TODAY)).evaluate(build_release(root))
    return evaluation_json(evaluation)


@dataclass
class Element:
    """One start tag: name and attributes."""

    tag: str
    attrs: dict[str, str]


class Page(HTMLParser):
    """Every element and every text node of an HTML page, with text per element id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.texts: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        self.elements.append(Element(tag, values))
        if "id" in values and tag not in ("input", "meta"):
            self._open_ids.append((tag, values["id"]))
            self.by_id[values["id"]] = []

    def handle_endtag(self, tag: str) -> None:
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for _, element_id in self._open_ids:
            self.by_id[element_id].append(data)

    def text(self, element_id: str) -> str:
        """All text inside the element with that id."""
        return "".join(self.by_id[element_id])

    def tags(self, tag: str) -> list[Element]:
        """Every element with that tag name."""
        return [e for e in self.elements if e.tag == tag]


def parse(html: str) -> Page:
    """Parse a page."""
    page = Page()
    page.feed(html)
    page.close()
    return page


def csp_hash(text: str) -> str:
    """The CSP source expression allowing an inline script or style with that text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def chromium() -> str:
    """Debian's chromium; skipped when missing outside CI (in CI it must be installed)."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (scripts/install-system-deps.sh installs it)")
        pytest.skip("chromium is not installed")
    return found


def run_chromium(page: Path, work: Path, *arguments: str) -> str:
    """Open a local page in headless Chromium with the given extra arguments; its stdout."""
    argv = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={work / 'profile'}",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
        "--window-size=1280,2000",
        *arguments,
        page.as_uri(),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
