"""OpenSSH server configuration (sshd_config(5)): root login, empty passwords, password
authentication, protocol 1 and weak algorithms, from the effective global settings — the first
value of each keyword wins, `Include` is followed, `Match` blocks are reported as conditional —
and the defaults of the OpenSSH version found where a setting is absent."""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assay.checks.config.findings import FindingSet, evidence_of
from assay.checks.config.scan import RootScan, source_of
from assay.model.artifact import Artifact
from assay.model.component import Component
from assay.model.config import ConfigSource, SshdConfig, SshSetting
from assay.model.finding import FindingEvidence, Severity

SSHD_CONFIGS = ("/etc/ssh/sshd_config", "/etc/sshd_config", "/etc/openssh/sshd_config")
MAX_INCLUDE_DEPTH = 4
KEYWORD_LINE = re.compile(r"([^\s=]+)\s*=?\s*(.*)")
VERSION = re.compile(r"(?:\d+:)?(\d+)\.(\d+)")
ALGORITHM_KEYWORDS = {
    "ciphers": "Ciphers",
    "macs": "MACs",
    "kexalgorithms": "KexAlgorithms",
    "hostkeyalgorithms": "HostKeyAlgorithms",
    "pubkeyacceptedalgorithms": "PubkeyAcceptedAlgorithms",
    "pubkeyacceptedkeytypes": "PubkeyAcceptedAlgorithms",
}
FACT_KEYWORDS = {
    "permitrootlogin": "PermitRootLogin",
    "permitemptypasswords": "PermitEmptyPasswords",
    "passwordauthentication": "PasswordAuthentication",
    "protocol": "Protocol",
    **ALGORITHM_KEYWORDS,
}
ROOT_LOGIN_DEFAULT_CHANGED = (7, 0)
PROTOCOL_1_REMOVED = (7, 4)
ROOT_LOGIN_WHY = (
    "Root can log in with a password over SSH: the most privileged account is open to password "
    "guessing from the network, and logins cannot be traced to a person (DISA STIG CAT II)."
)
EMPTY_WHY = "Accounts with an empty password can log in over SSH with no password (STIG CAT I)."
PASSWORD_WHY = "Passwords are accepted over SSH, so accounts can be attacked by password guessing."
PROTOCOL_WHY = "SSH protocol 1 has known design flaws (CRC-32 compensation attack, weak MAC)."


@dataclass(frozen=True, slots=True)
class Directive:
    """One keyword line, with the Match block it sits in (None when global)."""

    keyword: str
    value: str
    match: str | None
    source: ConfigSource


def openssh_versions(components: tuple[Component, ...]) -> list[tuple[int, int]]:
    """(major, minor) of every OpenSSH found in the release."""
    found = set()
    for component in components:
        match = VERSION.match(component.version) if component.product == "openssh" else None
        if match:
            found.add((int(match[1]), int(match[2])))
    return sorted(found)


class SshdReader:
    """Reads an sshd_config and the files it includes, in order."""

    def __init__(self, scan: RootScan) -> None:
        self.scan = scan

    def directives(
        self, path: str, match: str | None = None, depth: int = 0
    ) -> Iterator[Directive]:
        """Every keyword line, Include files expanded where they appear."""
        found = self.scan.text(path)
        if found is None or depth > MAX_INCLUDE_DEPTH:
            return
        artifact, text = found
        for number, raw in enumerate(text.splitlines(), 1):
            parsed = KEYWORD_LINE.fullmatch(raw.strip())
            if parsed is None or parsed[1].startswith("#"):
                continue
            keyword, value = parsed[1].lower(), parsed[2].strip().strip('"')
            if keyword == "match":
                match = None if value.lower() == "all" else value
            elif keyword == "include":
                yield from self._include(value, match, depth)
            else:
                source = source_of(self.scan.root, artifact, path, number, raw)
                yield Directive(keyword, value, match, source)

    def _include(self, value: str, match: str | None, depth: int) -> Iterator[Directive]:
        for pattern in value.split():
            full = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
            directory, name = posixpath.split(full)
            for path in sorted(self.scan.root.glob(directory, name)):
                yield from self.directives(path, match, depth + 1)


class SshdCheck:
    """The findings and effective settings of one sshd_config."""

    def __init__(
        self,
        scan: RootScan,
        found: FindingSet,
        config: tuple[str, Artifact],
        versions: list[tuple[int, int]],
    ) -> None:
        self.scan = scan
        self.found = found
        self.path, self.artifact = config
        self.versions = versions
        self.release_path = scan.root.release_path(self.path)
        daemon = scan.started("sshd")
        self.daemon = (
            f"sshd is started at boot ({daemon.reason})"
            if daemon
            else ("no boot start of sshd was found")
        )

    def _version_text(self) -> str:
        return ", ".join(f"{a}.{b}" for a, b in self.versions) or "unknown"

    def _default_evidence(self, keyword: str, default: str) -> FindingEvidence:
        text = f"{keyword} not set; OpenSSH {self._version_text()} defaults to {default}"
        return FindingEvidence(self.artifact.id, self.artifact.location, matched=text)

    def _add(
        self,
        rule: str,
        severity: Severity,
        title: str,
        why: str,
        directive: Directive | None,
        default: tuple[str, str] | None = None,
    ) -> None:
        if directive is not None:
            evidence = evidence_of(directive.source)
            where = f"`{directive.source.text}`"
            if directive.match is not None:
                where += f" inside `Match {directive.match}` (applies to matching connections)"
        else:
            keyword, value = default or ("", "")
            evidence = self._default_evidence(keyword, value)
            where = f"{keyword} is not set and OpenSSH {self._version_text()} defaults to {value}"
        message = f"{where} in {self.release_path}. {why} {self.daemon}."
        key = f"{self.release_path}|{rule}|{directive.match if directive else ''}"
        self.found.add(rule, severity, title, message, key, evidence)

    def root_login(self, directive: Directive | None) -> None:
        """PermitRootLogin yes, set or by default (OpenSSH before 7.0)."""
        old = bool(self.versions) and all(v < ROOT_LOGIN_DEFAULT_CHANGED for v in self.versions)
        value = directive.value.lower() if directive else ("yes" if old else "")
        if value == "yes":
            default = ("PermitRootLogin", "yes")
            title = "SSH root login with a password allowed"
            self._add(
                "config.ssh.root-login", Severity.MEDIUM, title, ROOT_LOGIN_WHY, directive, default
            )

    def empty_passwords(self, directive: Directive | None) -> None:
        """PermitEmptyPasswords yes."""
        if directive is not None and directive.value.lower() == "yes":
            title = "SSH logins with empty passwords allowed"
            self._add("config.ssh.empty-passwords", Severity.HIGH, title, EMPTY_WHY, directive)

    def password_auth(self, directive: Directive | None) -> None:
        """PasswordAuthentication yes (the default)."""
        if directive is None or directive.value.lower() == "yes":
            default = ("PasswordAuthentication", "yes")
            title = "SSH password authentication enabled"
            rule = "config.ssh.password-authentication"
            self._add(rule, Severity.LOW, title, PASSWORD_WHY, directive, default)

    def protocol(self, directive: Directive | None) -> None:
        """Protocol 1 listed, for OpenSSH versions that still honour it."""
        gone = bool(self.versions) and all(v >= PROTOCOL_1_REMOVED for v in self.versions)
        if directive is not None and "1" in directive.value.split(",") and not gone:
            title = "SSH protocol 1 enabled"
            self._add("config.ssh.protocol-1", Severity.HIGH, title, PROTOCOL_WHY, directive)

    def algorithms(self, directive: Directive) -> None:
        """Weak algorithms listed (or added with `+`) for a cipher, MAC, KEX or key keyword."""
        if directive.value.startswith("-"):
            return
        keyword = ALGORITHM_KEYWORDS[directive.keyword]
        rules = self.scan.rules
        listed = [n.strip() for n in directive.value.lstrip("+^").split(",") if n.strip()]
        weak = [(n, w) for n in listed if (w := rules.weak(keyword, n)) is not None]
        if not weak:
            return
        severity = max(w.severity for _, w in weak)
        why = "; ".join(f"{name}: {entry.why}" for name, entry in weak)
        title = f"Weak SSH {keyword}"
        self._add(f"config.ssh.weak-{keyword.lower()}", severity, title, why + ".", directive)

    def run(self) -> SshdConfig:
        """Check the effective settings and the Match-block ones; return the settings."""
        directives = list(SshdReader(self.scan).directives(self.path))
        first: dict[str, Directive] = {}
        for directive in directives:
            if directive.match is None:
                first.setdefault(directive.keyword, directive)
        self.root_login(first.get("permitrootlogin"))
        self.empty_passwords(first.get("permitemptypasswords"))
        self.password_auth(first.get("passwordauthentication"))
        self.protocol(first.get("protocol"))
        for keyword in ALGORITHM_KEYWORDS:
            if keyword in first:
                self.algorithms(first[keyword])
        for directive in directives:
            if directive.match is not None:
                self._conditional(directive)
        settings = self._settings(first)
        return SshdConfig(self.release_path, self.artifact.location, self.artifact.id, settings)

    def _conditional(self, directive: Directive) -> None:
        checks = {
            "permitrootlogin": self.root_login,
            "permitemptypasswords": self.empty_passwords,
            "protocol": self.protocol,
        }
        if directive.keyword in checks:
            checks[directive.keyword](directive)
        elif directive.keyword in ALGORITHM_KEYWORDS:
            self.algorithms(directive)

    def _settings(self, first: dict[str, Directive]) -> tuple[SshSetting, ...]:
        settings = []
        for keyword, name in FACT_KEYWORDS.items():
            directive = first.get(keyword)
            if directive is not None:
                origin = f"{directive.source.path}:{directive.source.line}"
                settings.append(SshSetting(name, directive.value, origin))
        return tuple(sorted(settings, key=lambda s: s.keyword))


def sshd_findings(
    scan: RootScan, found: FindingSet, versions: list[tuple[int, int]]
) -> list[SshdConfig]:
    """Check every sshd_config of the root."""
    results = []
    seen = set()
    for path in SSHD_CONFIGS:
        artifact = scan.root.file(path)
        if artifact is None or artifact.id in seen:
            continue
        seen.add(artifact.id)
        results.append(SshdCheck(scan, found, (path, artifact), versions).run())
    return results
