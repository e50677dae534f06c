"""Golden files for the reporters: a deterministic evaluation of a release built by code, its
volatile fields redacted, and a comparison that `ASSAY_REGENERATE_GOLDEN=1` rewrites instead."""

import copy
import difflib
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from assay.cli.scan_inputs import triage_from
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from tests.factories.secrets_build import md5_crypt, tiny_elf
from tests.factories.version_strings import embedded

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REGENERATE = "ASSAY_REGENERATE_GOLDEN"
TODAY = date(2026, 11, 26)
REDACTED = "<redacted>"

BASH_43 = embedded(b"by law.\x00\x00\x00@(#)Bash version 4.3.0(1) release GNU\x00\x00\x01")
OPENSSL_102K = embedded(b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00')
OPENSSL_098 = embedded(b"\x00OpenSSL 0.9.8zh 3 Dec 2015\x00")
# A fixed seed: the key (and so its fingerprint in the findings) is the same in every run.
DEVICE_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
INITTAB = b"::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"
TRIAGED_CVE = "CVE-2014-7169"


def release_files() -> dict[str, bytes]:
    """A small router root file system: an old bash (a KEV CVE), OpenSSL at two versions (end
    of life, several versions), an ELF without protections, a telnet root shell at boot, a
    weakly hashed password and a private key."""
    return {
        "bin/bash": BASH_43,
        "usr/lib/libcrypto.so.1.0.0": OPENSSL_102K,
        "usr/lib/legacy/libcrypto.so.0.9.8": OPENSSL_098,
        "usr/sbin/vendor-daemon": tiny_elf(b"vendor daemon", 4096),
        "etc/inittab": INITTAB,
        "etc/shadow": f"root:{md5_crypt('admin', 'vendor')}:19000:0:99999:7:::\n".encode(),
        "etc/ssl/private/device.key": DEVICE_KEY.private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        ),
    }


def openvex_triage(path: Path) -> Path:
    """An OpenVEX file closing one bash CVE as not affected (reported as suppressed)."""
    statement = {
        "vulnerability": {"name": TRIAGED_CVE},
        "products": [{"@id": "pkg:generic/bash@4.3.0"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
    }
    document = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/example/vex-assay-golden",
        "author": "Lab <lab@example.invalid>",
        "timestamp": "2026-01-01T00:00:00Z",
        "version": 1,
        "statements": [statement],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def golden_document(work: Path) -> dict[str, Any]:
    """Scan the release built under `work` and return its evaluation document, redacted."""
    root = work / "router-fw"
    for name, data in release_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "etc/shadow").chmod(0o600)
    triage = triage_from([openvex_triage(work / "triage.openvex.json")])
    evaluation = Evaluator(ScanOptions(today=TODAY, triage=triage)).evaluate(root)
    return redact(evaluation_json(evaluation), work)


def redact(document: dict[str, Any], work: Path) -> dict[str, Any]:
    """The document without what changes from run to run: timestamps, durations, the tool's
    version and the temporary folder the release was built in."""
    redacted = copy.deepcopy(document)
    redacted["tool"]["version"] = REDACTED
    redacted["started"] = redacted["finished"] = "2026-11-26T00:00:00Z"
    for stage in redacted["stages"]:
        stage["seconds"] = 0.0
    text = json.dumps(redacted, ensure_ascii=False).replace(str(work), "/work")
    return dict(json.loads(text))


def assert_golden(name: str, text: str) -> None:
    """`text` equals the golden file `name`; with ASSAY_REGENERATE_GOLDEN=1 it becomes it."""
    path = GOLDEN_DIR / name
    if os.environ.get(REGENERATE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no golden file {path}: run the tests with {REGENERATE}=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), text.splitlines(), "golden/" + name, "rendered", lineterm=""
        )
        shown = "\n".join(list(diff)[:80])
        raise AssertionError(
            f"{name} differs from the golden file ({REGENERATE}=1 rewrites):\n{shown}"
        )
