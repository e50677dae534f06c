"""SecretsCheck: private keys, certificates, password hashes, hard-coded credentials and tokens
across the whole release, redacted everywhere unless the caller asks otherwise."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, ClassVar

from assay.checks.base import CheckContext, CheckResult, ReleaseCheck
from assay.checks.secrets.accountrules import AccountRules, password_files
from assay.checks.secrets.defaults import (
    DEFAULT_BUDGET_SECONDS,
    DefaultPasswordTrier,
    default_passwords,
)
from assay.checks.secrets.filescan import FileScan, FileScanner, FoundKey, is_prose
from assay.checks.secrets.findings import FindingSink
from assay.checks.secrets.keyrules import (
    PlacedCertificate,
    PlacedKey,
    certificate_facts,
    certificate_findings,
    duplicate_findings,
    key_facts,
    key_findings,
)
from assay.checks.secrets.nesting import found_below, without_repeats
from assay.checks.secrets.patterns import SecretScanner, default_scanner
from assay.checks.secrets.redact import Redactor
from assay.checks.secrets.secretrules import SecretRules
from assay.checks.secrets.sshkeys import dropbear_key
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.problem import ProblemKind
from assay.model.secrets import AccountFact, PasswordTrials, SecretFacts

log = logging.getLogger(__name__)

TEXT_KINDS = (FileKind.TEXT, FileKind.SCRIPT, FileKind.KEY_OR_CERT)
SKIPPED_KINDS = (FileKind.SYMLINK, FileKind.EMPTY)
DROPBEAR_HEADS = (
    b"\x00\x00\x00\x07ssh-",
    b"\x00\x00\x00\x0bssh-ed25519",
    b"\x00\x00\x00\x13ecdsa-",
)
DROPBEAR_MAX = 16 * 1024
COUNTED = {
    "token": "token",
    "url": "url-credential",
    "assignment": "credential",
    "hash": "password-hash",
}


@dataclass
class _Release:
    """Everything found, per copy of each file."""

    keys: list[PlacedKey] = field(default_factory=list)
    certificates: list[PlacedCertificate] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    counts: Counter[str] = field(default_factory=Counter)


class SecretsCheck(ReleaseCheck):
    """Scans every file once for all secret patterns, confirms each candidate by parsing it, and
    applies the secrets rules to the whole release."""

    name: ClassVar[str] = "secrets"
    description: ClassVar[str] = (
        "private keys, SSH host keys, certificates, password hashes and default passwords, "
        "hard-coded credentials and tokens (patterns: assay/data/secret-patterns.yaml)"
    )

    def __init__(
        self,
        now: datetime | None = None,
        password_budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        passwords: tuple[str, ...] | None = None,
        scanner: SecretScanner | None = None,
    ) -> None:
        self.now = now
        self.password_budget_seconds = password_budget_seconds
        self.passwords = passwords if passwords is not None else default_passwords()
        self.scanner = scanner

    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        now = self.now or datetime.combine(ctx.today, time.min, tzinfo=UTC)
        redactor = Redactor(ctx.unredacted)
        sink = FindingSink()
        trier = DefaultPasswordTrier(self.passwords, self.password_budget_seconds)
        secret_rules = SecretRules(sink, redactor, trier)
        found = _Release()
        files = FileScanner(self.scanner or default_scanner(), self.passwords)
        password_paths = {a.id for a, _ in password_files(index)}
        copies = _copies(index)
        scans = []
        for artifact in _scanned(index):
            scan = self._scan(index, artifact, files, ctx)
            if scan is not None:
                scans.append((artifact, scan))
        below = found_below(index, scans, copies)
        for artifact, whole in scans:
            scan = without_repeats(whole, below.get(artifact.id, set()))
            if artifact.id in password_paths:  # its hashes are judged per account
                scan.secrets = [s for s in scan.secrets if s.family != "hash"]
            found.files += 1
            found.bytes += artifact.size
            for copy in copies.get(artifact.sha256, [artifact]):
                _place(found, copy, scan)
                secret_rules.add(copy, scan.secrets)
                found.counts.update(COUNTED[s.family] for s in scan.secrets)
        accounts = AccountRules(index, sink, redactor, trier).run()
        self._release_rules(sink, redactor, index, found, now)
        facts = _facts(found, accounts, trier, self.password_budget_seconds)
        return CheckResult(sink.sorted(), facts)

    def _scan(
        self,
        index: FileIndex,
        artifact: Artifact,
        files: FileScanner,
        ctx: CheckContext,
    ) -> FileScan | None:
        try:
            with index.mapped(artifact) as data:
                text = artifact.kind in TEXT_KINDS
                prose = is_prose(artifact.location)
                scan = files.scan(data, artifact.path, text, prose)
                _dropbear(data, scan)
        except OSError as err:
            ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", artifact.location)
            return None
        for message in scan.problems:
            ctx.problem(ProblemKind.CORRUPT, message, artifact.location)
        return scan

    def _release_rules(
        self,
        sink: FindingSink,
        redactor: Redactor,
        index: FileIndex,
        found: _Release,
        now: datetime,
    ) -> None:
        by_spki = {
            p.certificate.info.spki_fingerprint: p.certificate.info for p in found.certificates
        }
        key_findings(sink, redactor, found.keys, by_spki)
        duplicate_findings(sink, index, found.keys)
        holders: dict[str, list[PlacedKey]] = defaultdict(list)
        for placed in found.keys:
            holders[placed.key.info.fingerprint].append(placed)
        certificate_findings(sink, found.certificates, holders, now)


def _scanned(index: FileIndex) -> list[Artifact]:
    """Each content once: every kind but links and empty files; an unpacked archive's members
    are scanned instead of the archive (carved blobs are scanned too)."""
    out = []
    for artifact in index.unique_files():
        if artifact.kind in SKIPPED_KINDS:
            continue
        if artifact.kind is FileKind.ARCHIVE and artifact.format not in (None, "carved"):
            continue
        out.append(artifact)
    return out


def _copies(index: FileIndex) -> dict[str, list[Artifact]]:
    groups: dict[str, list[Artifact]] = defaultdict(list)
    for artifact in index.artifacts:
        if artifact.sha256 and artifact.kind not in SKIPPED_KINDS:
            groups[artifact.sha256].append(artifact)
    return groups


def _dropbear(data: Any, scan: FileScan) -> None:
    """A Dropbear host key: a whole small file in Dropbear's own format."""
    size = len(data)
    if size > DROPBEAR_MAX or scan.keys or not bytes(data[:24]).startswith(DROPBEAR_HEADS):
        return
    content = bytes(data[:size])
    info = dropbear_key(content)
    if info is not None:
        header = f"Dropbear {info.algorithm} host key"
        scan.keys.append(FoundKey(info, 0, size, header, content))


def _place(found: _Release, artifact: Artifact, scan: FileScan) -> None:
    for ordinal, key in enumerate(scan.keys):
        found.keys.append(PlacedKey(key, artifact, ordinal))
        found.counts["ssh-host-key" if found.keys[-1].host_key else "private-key"] += 1
    for ordinal, certificate in enumerate(scan.certificates):
        found.certificates.append(PlacedCertificate(certificate, artifact, ordinal))
        found.counts["certificate"] += 1


def _facts(
    found: _Release, accounts: tuple[AccountFact, ...], trier: DefaultPasswordTrier, budget: float
) -> SecretFacts:
    counts = Counter(found.counts)
    counts["account"] = len(accounts)
    stats = trier.stats
    trials = PasswordTrials(
        passwords=len(trier.passwords),
        tried=stats.tried,
        matched=stats.matched,
        slow=stats.slow,
        out_of_budget=stats.out_of_budget,
        budget_seconds=budget,
    )
    return SecretFacts(
        counts=tuple(sorted((k, v) for k, v in counts.items() if v)),
        keys=key_facts(found.keys),
        certificates=certificate_facts(
            found.certificates, {p.key.info.fingerprint for p in found.keys}
        ),
        accounts=accounts,
        trials=trials,
        files_scanned=found.files,
        bytes_scanned=found.bytes,
    )
