"""Two releases of one product, built and scanned for real: release 2 upgrades bash (4.3.0 →
4.3.30) and OpenSSL (1.0.2k → 1.1.1w), adds BusyBox 1.19.4, rebuilds a program without RELRO,
patches dropbear without changing its version string, starts a telnet root shell and ships a
private key."""

from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import PrivateFormat

from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from tests.factories.secrets_build import pem, rsa_key
from tests.factories.version_strings import embedded
from tests.policy.support import SAFE_C, c_program, write

SCAN_DAY = date(2026, 9, 1)
BASH = b"by law.\x00\x00\x00@(#)Bash version %s(1) release GNU\x00\x00\x01"
OPENSSL_102K = b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00'
OPENSSL_111W = b'OpenSSL 1.1.1w  11 Sep 2023\x00OPENSSLDIR: "/usr/lib/ssl"\x00'
BUSYBOX = b"\x00BusyBox v1.19.4 (2013-06-04 12:00:46 CST)\x00"
DROPBEAR = b"Crypto error\x00SSH-2.0-dropbear_2022.83\r\n\x00/bin/sh\x00"
HARDENED = ("-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,relro,-z,now", "-O2")
NO_RELRO = ("-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,norelro", "-O2")
INITTAB = b"::sysinit:/etc/init.d/rcS\n"
TELNETD = b"::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"


def release_1(root: Path) -> Path:
    """The older release."""
    write(root, "bin/bash", embedded(BASH % b"4.3.0"))
    write(root, "usr/lib/libcrypto.so.1.0.0", embedded(OPENSSL_102K))
    write(root, "usr/sbin/dropbear", embedded(DROPBEAR))
    c_program(root / "usr/sbin/agent", SAFE_C, HARDENED)
    write(root, "etc/inittab", INITTAB)
    write(root, "etc/old.conf", b"old=1\n")
    write(root, "etc/motd", b"welcome\n")
    return root


def release_2(root: Path) -> Path:
    """The newer release."""
    write(root, "bin/bash", embedded(BASH % b"4.3.30"))
    write(root, "usr/lib/libcrypto.so.1.1", embedded(OPENSSL_111W))
    write(root, "usr/sbin/dropbear", embedded(DROPBEAR + b"\x00patched\x00"))
    c_program(root / "usr/sbin/agent", SAFE_C, NO_RELRO)
    write(root, "etc/inittab", INITTAB + TELNETD)
    write(root, "etc/new.conf", b"new=1\n")
    write(root, "bin/busybox", embedded(BUSYBOX))
    write(root, "etc/motd", b"welcome\n")
    write(root, "etc/ssl/private/device.key", pem(rsa_key(), PrivateFormat.TraditionalOpenSSL))
    return root


def scanned(root: Path) -> dict[str, Any]:
    """The evaluation.json document of a real scan of `root`."""
    return evaluation_json(Evaluator(ScanOptions(today=SCAN_DAY)).evaluate(root))
