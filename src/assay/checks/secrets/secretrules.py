"""Rules over the secrets found in file contents: tokens, passwords in URLs, credentials assigned
in scripts and configuration (Wi-Fi passphrases and SNMP communities apart), and password hashes
outside password files."""

from collections import Counter
from dataclasses import dataclass

from assay.checks.secrets.assignments import SecretKind
from assay.checks.secrets.defaults import DefaultPasswordTrier
from assay.checks.secrets.filescan import FoundSecret
from assay.checks.secrets.findings import FindingSink, Property, evidence, release_path
from assay.checks.secrets.hashes import HashState, classify
from assay.checks.secrets.redact import Redactor
from assay.model.artifact import Artifact
from assay.model.finding import Severity

DEFAULT_COMMUNITIES = frozenset({"public", "private"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rule a secret falls under and how it is reported."""

    rule: str
    severity: Severity
    title: str
    message: str
    properties: tuple[Property, ...] = ()


@dataclass
class SecretRules:
    """Turns each secret found in a file into its finding."""

    sink: FindingSink
    redactor: Redactor
    trier: DefaultPasswordTrier

    def __post_init__(self) -> None:
        self._defaults = frozenset(self.trier.passwords)

    def add(self, artifact: Artifact, secrets: list[FoundSecret]) -> None:
        """Findings for the secrets of one file copy."""
        seen: Counter[tuple[str, str]] = Counter()
        for secret in secrets:
            verdict = self._verdict(secret, artifact)
            if verdict is None:
                continue
            ordinal = seen[(verdict.rule, secret.name)]
            seen[(verdict.rule, secret.name)] += 1
            proof = evidence(artifact, secret.start, secret.line, self._shown(secret))
            about = (release_path(artifact), secret.name, str(ordinal))
            self.sink.add(
                verdict.rule, verdict.severity, verdict.title, verdict.message, about, (proof,),
                verdict.properties,
            )  # fmt: skip

    def _shown(self, secret: FoundSecret) -> str:
        if secret.family == "hash":
            parsed = classify(secret.value)
            found = self.trier.match(parsed)
            tried = f" = {self.redactor.value(found)}" if found else ""
            return self.redactor.crypt_hash(parsed.shown, secret.value) + tried
        if secret.line_text is not None:
            spans = list(secret.line_spans)
            return self.redactor.line(secret.line_text, spans, secret.focus)
        if secret.family == "token":
            return self.redactor.token(secret.value, secret.prefix)
        if secret.family == "url":
            return secret.name.replace(":…@", ":" + self.redactor.value(secret.value) + "@")
        return self.redactor.value(secret.value)

    def _verdict(self, secret: FoundSecret, artifact: Artifact) -> Verdict | None:
        if secret.family == "token":
            return Verdict(
                f"token.{secret.kind}",
                secret.severity,
                secret.title,
                f"{secret.title} in {artifact.path}",
                (("pattern", secret.name),),
            )
        if secret.family == "url":
            return Verdict(
                "credential.url",
                Severity.MEDIUM,
                "Password in a URL",
                f"a URL with a user name and password in {artifact.path}",
            )
        if secret.family == "hash":
            return self._hash(secret, artifact)
        return self._assignment(secret, artifact)

    def _assignment(self, secret: FoundSecret, artifact: Artifact) -> Verdict:
        default = secret.value in self._defaults
        properties: tuple[Property, ...] = (("key", secret.name), ("default", default))
        where = f"'{secret.name}' in {artifact.path}"
        if secret.kind == SecretKind.WIFI:
            return Verdict(
                "credential.wifi-psk",
                Severity.HIGH if default else Severity.MEDIUM,
                "Wi-Fi passphrase in the image",
                f"Wi-Fi pre-shared key {where}: every device ships with the same one",
                properties,
            )
        if secret.kind == SecretKind.SNMP:
            return self._community(secret, where, properties)
        return Verdict(
            "credential.hardcoded",
            Severity.HIGH if default else Severity.MEDIUM,
            "Hard-coded credential",
            f"a literal {secret.kind} is assigned to {where}"
            + (" — a well-known default" if default else ""),
            properties,
        )

    def _community(
        self, secret: FoundSecret, where: str, properties: tuple[Property, ...]
    ) -> Verdict:
        default = secret.value in DEFAULT_COMMUNITIES
        writable = secret.name.startswith("rw")
        severity = (
            Severity.HIGH
            if default and writable
            else Severity.MEDIUM
            if default or writable
            else Severity.LOW
        )
        access = "read-write" if writable else "read"
        return Verdict(
            "credential.snmp-community",
            severity,
            "SNMP community string in the configuration",
            f"{'default ' if default else ''}SNMP community ({access}) {where}",
            (*properties[:1], ("default", default), ("access", access)),
        )

    def _hash(self, secret: FoundSecret, artifact: Artifact) -> Verdict | None:
        parsed = classify(secret.value)
        if parsed.state is not HashState.HASH or parsed.scheme is None:
            return None
        scheme = parsed.scheme.name
        properties: tuple[Property, ...] = (("scheme", scheme),)
        found = self.trier.match(parsed)
        if found == "":
            return Verdict(
                "password.empty",
                Severity.HIGH,
                "Hard-coded hash of the empty password",
                f"a {scheme} hash in {artifact.path} is of the empty password",
                properties,
            )
        if found is not None:
            return Verdict(
                "password.default",
                Severity.HIGH,
                "Hard-coded hash of a known default password",
                f"a {scheme} hash in {artifact.path} is of a password from the default list",
                properties,
            )
        if parsed.scheme.weak is not None:
            return Verdict(
                "password.weak-hash",
                parsed.scheme.weak,
                "Password hashed with a weak scheme",
                f"a {scheme} password hash in {artifact.path}, which is fast to crack",
                properties,
            )
        return Verdict(
            "password.hardcoded-hash",
            Severity.LOW,
            "Hard-coded password hash",
            f"a {scheme} password hash in {artifact.path}",
            properties,
        )
