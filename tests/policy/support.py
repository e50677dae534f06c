"""Release trees for the policy tests, scanned for real: a risky one (Shellshock in KEV, an
end-of-life OpenSSL, an unhardened program calling strcpy, a telnet root shell, a shipped private
key) and a clean one (one hardened program using snprintf, nothing else)."""

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import PrivateFormat

from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from tests.factories.secrets_build import pem, rsa_key
from tests.factories.version_strings import embedded

SCAN_DAY = date(2026, 9, 1)  # 11 days after the shipped snapshot (2026-08-21)
BASH_43 = embedded(b"by law.\x00\x00\x00@(#)Bash version 4.3.0(1) release GNU\x00\x00\x01")
OPENSSL_102K = embedded(b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00')
UNSAFE_C = """#include <string.h>
#include <stdio.h>
int main(int argc, char **argv) {
    char a[64], b[64];
    strcpy(a, argv[0]); strcpy(b, argv[argc - 1]); sprintf(a, "%s", b);
    puts(a); return 0;
}
"""
SAFE_C = """#include <stdio.h>
int main(int argc, char **argv) {
    char a[64];
    snprintf(a, sizeof a, "%s", argv[argc - 1]);
    puts(a); return 0;
}
"""
UNHARDENED = ("-fno-stack-protector", "-no-pie", "-z", "norelro", "-O0")
HARDENED = ("-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,relro,-z,now", "-O2")


def c_program(out: Path, source: str, flags: tuple[str, ...]) -> None:
    """Compile `source` into `out` with gcc and `flags`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    source_file = out.parent / f".{out.name}.c"
    source_file.write_text(source)
    subprocess.run(["gcc", *flags, "-o", str(out), str(source_file)], check=True)
    source_file.unlink()


def write(root: Path, path: str, data: bytes) -> None:
    """A file at `path` inside `root`."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def risky_tree(root: Path) -> Path:
    """A release that breaks every rule the findings and vulnerabilities can break."""
    write(root, "bin/bash", BASH_43)
    write(root, "usr/lib/libcrypto.so.1.0.0", OPENSSL_102K)
    c_program(root / "usr/sbin/agent", UNSAFE_C, UNHARDENED)
    inittab = b"::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"
    write(root, "etc/inittab", inittab)
    write(root, "etc/ssl/private/device.key", pem(rsa_key(), PrivateFormat.TraditionalOpenSSL))
    return root


def clean_tree(root: Path) -> Path:
    """A release with nothing to object to: one hardened program, no known component, and a
    key only in documentation examples."""
    c_program(root / "usr/bin/hello", SAFE_C, HARDENED)
    write(root, "etc/motd", b"welcome\n")
    example_key = pem(rsa_key(), PrivateFormat.TraditionalOpenSSL)  # a documentation example
    write(root, "usr/share/doc/openssl/examples/test.key", example_key)
    return root


def scanned(root: Path, today: date = SCAN_DAY, vulnerabilities: bool = True) -> dict[str, Any]:
    """The evaluation.json document of a real scan of `root`."""
    options = ScanOptions(today=today, vulnerabilities=vulnerabilities)
    return evaluation_json(Evaluator(options).evaluate(root))
