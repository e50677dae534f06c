"""Building secrets findings: stable ids, evidence, and the one severity adjustment every rule
shares: a secret seen only under test, example or documentation folders (or, for credentials,
inside a language's library tree; for keys and certificates, inside a cryptographic library's own
files, whose self-tests carry published test keys) is reported at INFO, with its context named."""

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field, replace
from functools import cache

from assay.catalog.binary.engine import plain_name
from assay.catalog.binary.rules import default_rules
from assay.model.artifact import CHAIN_SEPARATOR, Artifact
from assay.model.finding import Category, Finding, FindingEvidence, Severity
from assay.model.ids import stable_id

CONTEXTS = (
    (
        "test-or-example",
        re.compile(
            r"/(tests?|testdata|test[-_]data|testing|examples?|samples?|demos?|fixtures?)/", re.I
        ),
    ),
    ("documentation", re.compile(r"/usr/share/(doc|man|info|gtk-doc)/|/docs?/", re.I)),
)
LIBRARY_TREES = re.compile(
    r"/usr/lib/python[0-9.]*/|/(site|dist)-packages/|/node_modules/|/usr/(lib|share)/(perl|ruby|lua)"
)
LIBRARY_RULES = ("credential.", "token.", "password.hardcoded-hash")
CRYPTO_PRODUCTS = frozenset(
    {"openssl", "libressl", "boringssl", "gnutls", "mbedtls", "wolfssl", "nss", "libgcrypt"}
)
KEY_RULES = ("secret.private-key", "cert.")


@cache
def crypto_library_names() -> tuple[str, ...]:
    """File-name globs of the cryptographic libraries' own files (from the binary rules)."""
    return tuple(
        glob for rule in default_rules() if rule.product in CRYPTO_PRODUCTS for glob in rule.files
    )


def in_crypto_library(location: str) -> bool:
    """True when a file, or an archive it came out of, is a cryptographic library's own file."""
    for part in location.split(CHAIN_SEPARATOR):
        name = plain_name(posixpath.basename(part.strip()))
        if any(fnmatch.fnmatchcase(name, glob) for glob in crypto_library_names()):
            return True
    return False


CARVED_AT = re.compile(r"@0x[0-9a-fA-F]+$")
Property = tuple[str, str | int | float | bool]


def context_of(location: str, rule: str = "") -> str | None:
    """Why a place is not a product's own secret: `test-or-example`, `documentation`,
    `library-source` (credentials in a language's library tree), `crypto-library-self-test`
    (keys and certificates inside libcrypto, libgnutls, … or the openssl program), or None."""
    for name, pattern in CONTEXTS:
        if pattern.search(location):
            return name
    if rule.startswith(LIBRARY_RULES) and LIBRARY_TREES.search(location):
        return "library-source"
    if rule.startswith(KEY_RULES) and in_crypto_library(location):
        return "crypto-library-self-test"
    return None


def release_path(artifact: Artifact) -> str:
    """The artifact's place in the release without the input's own name and carving offsets,
    so the same file of the next release (renamed image, moved partition) has the same key."""
    inner = [CARVED_AT.sub("", part) for part in artifact.chain[1:]]
    return CHAIN_SEPARATOR.join(inner) if inner else artifact.path


def evidence(
    artifact: Artifact,
    offset: int | None = None,
    line: int | None = None,
    matched: str | None = None,
) -> FindingEvidence:
    """Evidence at a place in a file."""
    return FindingEvidence(artifact.id, artifact.location, offset, line, matched)


@dataclass
class FindingSink:
    """Collects findings by id; a second finding with the same id (the same file in two copies
    of a partition) adds its evidence to the first."""

    findings: dict[str, Finding] = field(default_factory=dict)

    def add(
        self,
        rule: str,
        severity: Severity,
        title: str,
        message: str,
        about: tuple[str, ...],
        proof: tuple[FindingEvidence, ...],
        properties: tuple[Property, ...] = (),
    ) -> None:
        """Record a finding. `about` is the in-release path and key it concerns (its id derives
        from the rule and `about`)."""
        contexts = {context_of(e.location, rule) for e in proof}
        if None not in contexts:
            severity = Severity.INFO
            properties = (*properties, ("context", sorted(str(c) for c in contexts)[0]))
        finding = Finding(
            id=stable_id("finding", rule, *about),
            rule=rule,
            category=Category.SECRET,
            severity=severity,
            title=title,
            message=message,
            evidence=proof,
            properties=properties,
        )
        first = self.findings.get(finding.id)
        if first is None:
            self.findings[finding.id] = finding
        elif not set(proof) <= set(first.evidence):
            merged = first.evidence + tuple(e for e in proof if e not in first.evidence)
            self.findings[finding.id] = replace(first, evidence=merged)

    def sorted(self) -> tuple[Finding, ...]:
        """The findings, most severe first, then by rule and location."""
        return tuple(
            sorted(
                self.findings.values(),
                key=lambda f: (-f.severity, f.rule, f.evidence[0].location, f.id),
            )
        )
