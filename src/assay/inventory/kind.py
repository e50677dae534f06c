"""Classify a file by its first bytes and name: ELF, script, text, key or certificate, data."""

import re

from assay.inventory.elf import elf_facts
from assay.model.artifact import ElfFacts, FileKind

KEY_MARKERS = (
    b"-----BEGIN ",
    b"PuTTY-User-Key-File",
    b"ssh-rsa ",
    b"ssh-ed25519 ",
    b"ecdsa-sha2-",
    b"ssh-dss ",
)
KEY_SUFFIXES = (
    ".pem",
    ".key",
    ".crt",
    ".cer",
    ".der",
    ".p12",
    ".pfx",
    ".jks",
    ".keystore",
    ".csr",
    ".pub",
)
KEY_NAMES = re.compile(r"(^|/)(id_(rsa|dsa|ecdsa|ed25519)|ssh_host_.*_key|.*dropbear.*_key)$")
TEXT_BYTES = bytes(range(32, 127)) + b"\t\n\r\f\b\x1b"
TEXT_SAMPLE = 8192


def is_text(sample: bytes) -> bool:
    """True when a sample looks like text: valid UTF-8 with few control bytes."""
    if not sample or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 4:
            return False
    control = len(sample.translate(None, TEXT_BYTES + bytes(range(128, 256))))
    return control <= len(sample) // 100


def classify(head: bytes, name: str, size: int) -> tuple[FileKind, ElfFacts | None]:
    """The kind of a file from its head (first bytes) and name; ELF facts for ELF files."""
    if size == 0:
        return FileKind.EMPTY, None
    facts = elf_facts(head)
    if facts is not None:
        return FileKind.ELF, facts
    lower = name.lower()
    sample = head[:TEXT_SAMPLE]
    if any(marker in sample for marker in KEY_MARKERS) or KEY_NAMES.search(lower):
        return FileKind.KEY_OR_CERT, None
    if lower.endswith(KEY_SUFFIXES) and size < 256 * 1024:
        return FileKind.KEY_OR_CERT, None
    if head.startswith(b"#!"):
        return FileKind.SCRIPT, None
    if is_text(sample):
        return FileKind.TEXT, None
    return FileKind.DATA, None
