"""Building secrets findings: stable ids, evidence, and the one severity adjustment every rule
shares: a secret seen only under test, example or documentation folders (or, for credentials,
inside a language's library tree) is reported at INFO, with its context named."""

import re
from dataclasses import dataclass, field, replace

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

CARVED_AT = re.compile(r"@0x[0-9a-fA-F]+$")
Property = tuple[str, str | int | float | bool]


def context_of(location: str, rule: str = "") -> str | None:
    """Why a place is not a product's own secret: `test-or-example`, `documentation`,
    `library-source` (credentials in a language's library tree), or None."""
    for name, pattern in CONTEXTS:
        if pattern.search(location):
            return name
    if rule.startswith(LIBRARY_RULES) and LIBRARY_TREES.search(location):
        return "library-source"
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
