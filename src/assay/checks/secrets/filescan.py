"""One file, one pass: the Hyperscan scan nominates places, the family parsers confirm them, and
the file's keys, certificates and secrets come back with their offsets (and lines)."""

import bisect
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography import x509

from assay.checks.secrets.assignments import Assignment, SecretKind, assignments, snmp_community
from assay.checks.secrets.certificates import (
    CertInfo,
    certificate_from_block,
    certificate_from_der,
    describe,
)
from assay.checks.secrets.keyinfo import KeyInfo
from assay.checks.secrets.keys import der_key, key_from_block, pkcs12_bundle
from assay.checks.secrets.patterns import PatternHit, SecretScanner
from assay.checks.secrets.pem import PemError, read_block
from assay.checks.secrets.sshkeys import putty_key
from assay.checks.secrets.tokens import SecretSpan, token_at, url_credential_at
from assay.model.finding import Severity

MAX_LINE = 4096
COMMENT_LOOKBACK = 64 * 1024
CODE_SUFFIXES = (
    *(".py", ".js", ".mjs", ".ts", ".lua", ".php", ".pl", ".pm", ".rb", ".java"),
    *(".c", ".h", ".cc", ".cpp", ".go", ".rs", ".cs", ".tcl"),
)
CODE_SHEBANG = re.compile(rb"^#!\S*(python|node|lua|perl|php|ruby|tclsh)")
CRYPT_HASH = "crypt-hash"
PROSE_PLACES = re.compile(r"/usr/share/(doc|man|info|gtk-doc)/")
PROSE_NAMES = re.compile(
    r"/(changelog|changes|news|readme|authors|history|copying|license)[^/]*$"
    r"|\.(md|rst|adoc|[1-9][a-z]{0,4})$",
    re.IGNORECASE,
)
PLACEHOLDER_HASH = re.compile(r"\$(.)\1{5}")


@dataclass(frozen=True, slots=True)
class FoundKey:
    """A confirmed private key: where it lies, its public header and its bytes (to redact)."""

    info: KeyInfo
    start: int
    end: int
    header: str
    material: bytes
    password: str | None = None


@dataclass(frozen=True, slots=True)
class FoundCertificate:
    """A parsed certificate and where it lies."""

    info: CertInfo
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FoundSecret:
    """A token, URL password, assigned credential or password hash at [start, end) of the file.
    `family` is token, url, assignment or hash; `kind` the token kind or assignment kind;
    `name` the assignment's key or the URL's public part; `line` and `line_text` for text."""

    family: str
    kind: str
    value: str
    start: int
    end: int
    name: str = ""
    prefix: str = ""
    title: str = ""
    severity: Severity = Severity.MEDIUM
    line: int | None = None
    line_text: str | None = None
    line_spans: tuple[tuple[int, int], ...] = ()
    focus: int = 0


@dataclass
class FileScan:
    """What one file holds."""

    keys: list[FoundKey] = field(default_factory=list)
    certificates: list[FoundCertificate] = field(default_factory=list)
    secrets: list[FoundSecret] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Lines:
    """Line numbers and line text of a text file, from its newline offsets."""

    data: Any
    newlines: list[int]

    @classmethod
    def of(cls, data: Any) -> "_Lines":
        return cls(data, [m.start() for m in re.finditer(b"\n", data)])

    def number(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def bounds(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[index - 1] + 1 if index > 0 else 0
        end = self.newlines[index] if index < len(self.newlines) else len(self.data)
        return max(start, offset - MAX_LINE), min(end, offset + MAX_LINE)


def is_prose(location: str) -> bool:
    """Documentation: manual pages, change logs, READMEs, anything under /usr/share/doc."""
    return bool(PROSE_PLACES.search(location) or PROSE_NAMES.search(location))


def is_code(path: str, head: bytes) -> bool:
    """A program source, where only quoted literals are values."""
    return path.lower().endswith(CODE_SUFFIXES) or bool(CODE_SHEBANG.match(head))


class FileScanner:
    """Scans one file's bytes; holds nothing between files but its configuration."""

    def __init__(self, scanner: SecretScanner, passwords: tuple[str, ...]) -> None:
        self.scanner = scanner
        self.passwords = passwords

    def scan(self, data: Any, path: str, text: bool, prose: bool = False) -> FileScan:
        """Everything secret in `data`. `text`: the file is text (all patterns, lines);
        `prose`: documentation, where `password: …` is a sentence, not an assignment."""
        result = FileScan()
        hits = self.scanner.scan(data, text)
        lines = _Lines.of(data) if text and hits else None
        covered = -1
        for hit in hits:
            if hit.start < covered or hit.pattern.family == "assignment":
                continue
            covered = max(covered, self._confirm(data, hit, result))
        if lines is not None:
            if not prose:
                self._assignments(data, path, hits, lines, result)
            result.secrets = [_with_line(s, data, lines, result.secrets) for s in result.secrets]
        return result

    def _confirm(self, data: Any, hit: PatternHit, result: FileScan) -> int:
        """Parse the nominated place; return where the confirmed object ends (-1: nothing)."""
        family = hit.pattern.family
        if family == "pem":
            return self._pem(data, hit.start, result)
        if family == "putty":
            found = putty_key(data, hit.start)
            if found is None:
                return -1
            material = bytes(data[hit.start : found.end])
            header = material.split(b"\n", 1)[0].decode("ascii", "replace").strip()
            result.keys.append(FoundKey(found.info, hit.start, found.end, header, material))
            return found.end
        if family.startswith("der-"):
            return self._der(data, hit, result)
        secret = _secret(data, hit)
        if secret is None:
            return -1
        result.secrets.append(secret)
        return secret.end

    def _pem(self, data: Any, start: int, result: FileScan) -> int:
        try:
            block = read_block(data, start)
            if block is None:
                return -1
            key = key_from_block(block)
            if key is not None:
                material = bytes(data[block.start : block.end])
                result.keys.append(FoundKey(key, start, block.end, block.header_line, material))
                return block.end
            certificate = certificate_from_block(block)
            if certificate is not None:
                result.certificates.append(
                    FoundCertificate(describe(certificate), start, block.end)
                )
            return block.end
        except (PemError, ValueError) as err:
            result.problems.append(f"at offset {start}: {err}")
            return -1

    def _der(self, data: Any, hit: PatternHit, result: FileScan) -> int:
        family = hit.pattern.family
        if family == "der-certificate":
            found = certificate_from_der(data, hit.start)
            if found is None:
                return -1
            try:
                result.certificates.append(
                    FoundCertificate(describe(found[0]), hit.start, found[1])
                )
            except ValueError:
                return -1
            return found[1]
        if family == "der-pkcs12":
            return self._pkcs12(data, hit.start, result)
        key = der_key(data, hit.start, hit.pattern.id)
        if key is None:
            return -1
        header = f"DER {key.info.format} at offset {hit.start}"
        material = bytes(data[hit.start : key.end])
        result.keys.append(FoundKey(key.info, hit.start, key.end, header, material))
        return key.end

    def _pkcs12(self, data: Any, start: int, result: FileScan) -> int:
        bundle = pkcs12_bundle(data, start, self.passwords)
        if bundle is None:
            return -1
        material = bytes(data[start : bundle.end])
        if bundle.key is not None:
            header = f"PKCS#12 at offset {start}"
            found = FoundKey(bundle.key, start, bundle.end, header, material, bundle.password)
            result.keys.append(found)
        for certificate in bundle.certificates:
            _add_certificate(result, certificate, start, bundle.end)
        return bundle.end

    def _assignments(
        self, data: Any, path: str, hits: list[PatternHit], lines: _Lines, result: FileScan
    ) -> None:
        code = is_code(path, bytes(data[:64]))
        wireless = path.endswith("/config/wireless")
        snmpd = posixpath.basename(path).startswith("snmpd") and path.endswith(".conf")
        seen: set[int] = set()
        taken = [(s.start, s.end) for s in result.secrets]
        for hit in hits:
            if hit.pattern.family != "assignment":
                continue
            start, end = lines.bounds(hit.start)
            if start in seen or _in_block_comment(data, start, code):
                continue
            seen.add(start)
            raw = bytes(data[start:end])
            text = raw.decode("utf-8", "surrogateescape")
            for found in _line_assignments(text, code, wireless, snmpd):
                offset = start + len(text[: found.start].encode("utf-8", "surrogateescape"))
                size = len(found.value.encode("utf-8", "surrogateescape"))
                if any(a < offset + size and offset < b for a, b in taken):
                    continue  # a token or hash the patterns already named
                secret = FoundSecret(
                    "assignment", found.kind.value, found.value, offset, offset + size, found.key
                )
                result.secrets.append(secret)


def _in_block_comment(data: Any, offset: int, code: bool) -> bool:
    """Whether `offset` lies inside an XML/HTML comment, or a C-style one in program source."""
    first = max(0, offset - COMMENT_LOOKBACK)
    for opening, closing, applies in ((b"<!--", b"-->", True), (b"/*", b"*/", code)):
        opened = data.rfind(opening, first, offset) if applies else -1
        if opened >= 0 and data.rfind(closing, opened, offset) < 0:
            return True
    return False


def _line_assignments(text: str, code: bool, wireless: bool, snmpd: bool) -> Iterator[Assignment]:
    if snmpd:
        community = snmp_community(text)
        if community is not None:
            yield community
            return
    for found in assignments(text, code, wireless):
        if not (snmpd and found.kind is not SecretKind.SNMP and found.key.endswith("community")):
            yield found


def _add_certificate(result: FileScan, certificate: x509.Certificate, start: int, end: int) -> None:
    try:
        result.certificates.append(FoundCertificate(describe(certificate), start, end))
    except ValueError:
        return


def _secret(data: Any, hit: PatternHit) -> FoundSecret | None:
    family = hit.pattern.family
    span: SecretSpan | None
    if family == "token":
        span = token_at(data, hit)
        if span is None:
            return None
        pattern = hit.pattern
        return FoundSecret(
            "token", span.kind, span.value, span.start, span.end, pattern.id, pattern.prefix,
            pattern.title, pattern.severity,
        )  # fmt: skip
    if family == "url-credential":
        span = url_credential_at(data, hit.start)
        if span is None:
            return None
        return FoundSecret("url", "url", span.value, span.start, span.end, span.context)
    if family == CRYPT_HASH:
        match = hit.pattern.regex.match(data, hit.start, hit.start + 256)
        if match is None:
            return None
        value = match.group(0).decode("ascii")
        if PLACEHOLDER_HASH.search(value):
            return None  # `$2a$10$xxxxxxxx…`: a dummy hash (sshd's fake-auth one), not a password
        return FoundSecret("hash", "crypt", value, match.start(), match.end())
    return None


def _with_line(
    secret: FoundSecret, data: Any, lines: _Lines, all_secrets: list[FoundSecret]
) -> FoundSecret:
    """The secret with its line number and line text, every secret on that line marked."""
    start, end = lines.bounds(secret.start)
    raw = bytes(data[start:end])

    def chars(offset: int) -> int:
        return len(raw[: offset - start].decode("utf-8", "surrogateescape"))

    spans = tuple(
        (chars(s.start), chars(min(s.end, end))) for s in all_secrets if start <= s.start < end
    )
    return replace(
        secret,
        line=lines.number(secret.start),
        line_text=raw.decode("utf-8", "surrogateescape"),
        line_spans=spans,
        focus=chars(secret.start),
    )
