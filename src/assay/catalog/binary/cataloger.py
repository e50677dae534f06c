"""BinaryCataloger: products and versions from the bytes of executables, libraries and blobs."""

import mmap
import posixpath
from typing import ClassVar

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.binary.engine import Hit, Matcher, Scan, name_matches
from assay.catalog.binary.linked import infer_from_links
from assay.catalog.binary.references import LinkGraph, without_references
from assay.catalog.binary.rules import Rule, default_rules
from assay.catalog.binary.siblings import infer_from_siblings
from assay.catalog.binary.version_symbols import SymbolVersion, read_version_symbols
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import Confidence, Evidence
from assay.model.problem import ProblemKind

SCANNED_KINDS = (FileKind.ELF, FileKind.DATA, FileKind.ARCHIVE)
MATCHED_TEXT = 160


class BinaryCataloger(Cataloger):
    """Scans every unique executable, library and opaque blob once for all rules' patterns."""

    name = "binary"
    description = "version strings in binaries (rules: assay/data/binary-rules.yaml)"
    _matchers: ClassVar[dict[int, Matcher]] = {}

    def __init__(self, rules: tuple[Rule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else default_rules()
        self._named_rules = tuple(r for r in self.rules if r.file_versions)

    def matcher(self) -> Matcher:
        """The compiled matcher for these rules (compiled once per process)."""
        key = id(self.rules)
        if key not in self._matchers:
            self._matchers[key] = Matcher(self.rules)
        return self._matchers[key]

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        matcher = self.matcher()
        copies = _copies(index)
        graph = LinkGraph(index)
        found: list[Observation] = []
        for artifact in index.unique_files(*SCANNED_KINDS):
            if artifact.kind is FileKind.ARCHIVE and artifact.format not in (None, "carved"):
                continue
            try:
                with index.mapped(artifact) as data:
                    scan = matcher.scan_file(data)
                    hits = without_references(graph, artifact, scan.hits)
                    symbols = _symbol_versions(artifact, data, scan, hits)
            except OSError as err:
                ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", artifact.location)
                continue
            for copy in copies.get(artifact.sha256 or "", [artifact]):
                observed = self._observe(copy, hits) + self._observe_symbols(copy, symbols)
                found.extend(observed)
                if copy.kind is FileKind.ELF:
                    found.extend(self._observe_name(copy, {o.product for o in observed}))
        found.extend(infer_from_siblings(index, self.rules, found))
        found.extend(infer_from_links(index, self.rules, found, graph))
        return found

    def _observe(self, artifact: Artifact, hits: list[Hit]) -> list[Observation]:
        observations = []
        file_name = posixpath.basename(artifact.path)
        for hit in hits:
            rule = hit.rule
            if rule.require_contains and not hit.confirmed:
                continue
            named = name_matches(rule, file_name)
            if rule.require_name and not named:
                continue
            confidence = (
                Confidence.HIGH
                if named or (hit.confirmed and rule.contains)
                else (Confidence.MEDIUM)
            )
            evidence = Evidence(
                artifact=artifact.id,
                location=artifact.location,
                method="version-string",
                offset=hit.offset,
                matched=hit.matched[:MATCHED_TEXT].decode("ascii", "backslashreplace"),
                embedded=bool(rule.files) and not named,
            )
            observations.append(_observation(rule, hit.version, confidence, evidence))
        return observations

    def _observe_symbols(
        self, artifact: Artifact, symbols: list[tuple[Rule, SymbolVersion]]
    ) -> list[Observation]:
        """Versions read from a version function's constant or a version datum."""
        observations = []
        file_name = posixpath.basename(artifact.path)
        for rule, found in symbols:
            named = name_matches(rule, file_name)
            if rule.require_name and not named:
                continue
            evidence = Evidence(
                artifact=artifact.id,
                location=artifact.location,
                method="version-symbol",
                offset=found.offset,
                matched=f"{found.symbol.symbol} ({found.symbol.kind}): {found.matched.hex(' ')}",
                embedded=bool(rule.files) and not named,
            )
            observations.append(_observation(rule, found.version, Confidence.MEDIUM, evidence))
        return observations

    def _observe_name(self, artifact: Artifact, identified: set[str]) -> list[Observation]:
        """Versions from the file name, for products the bytes did not name."""
        file_name = posixpath.basename(artifact.path)
        observations = []
        for rule in self._named_rules:
            version = None if rule.product in identified else rule.version_from_name(file_name)
            if version is None:
                continue
            evidence = Evidence(
                artifact=artifact.id,
                location=artifact.location,
                method="file-name",
                matched=file_name,
            )
            observations.append(_observation(rule, version, Confidence.LOW, evidence))
        return observations


def _observation(
    rule: Rule, version: str, confidence: Confidence, evidence: Evidence
) -> Observation:
    return Observation(
        product=rule.product,
        name=rule.name,
        version=version,
        type=rule.type,
        found_by=BinaryCataloger.name,
        confidence=confidence,
        evidence=evidence,
        purl=rule.purl_for(version),
        cpes=rule.cpes_for(version),
        supplier=rule.supplier,
    )


def _symbol_versions(
    artifact: Artifact, data: mmap.mmap | bytes, scan: Scan, hits: list[Hit]
) -> list[tuple[Rule, SymbolVersion]]:
    """For an ELF file naming a version symbol of a product its text did not identify: the
    version each such product's symbols hold (the first that decodes)."""
    if artifact.kind is not FileKind.ELF or not scan.symbol_rules:
        return []
    identified = {h.rule.product for h in hits if h.confirmed or not h.rule.require_contains}
    rules = {
        e: r for r in scan.symbol_rules if r.product not in identified for e in r.version_symbols
    }
    found: dict[str, tuple[Rule, SymbolVersion]] = {}
    for symbol_version in read_version_symbols(data, rules):
        rule = rules[symbol_version.symbol]
        found.setdefault(rule.product, (rule, symbol_version))
    return list(found.values())


def _copies(index: FileIndex) -> dict[str, list[Artifact]]:
    """Every file by content: a file is scanned once and each copy of it is evidence."""
    groups: dict[str, list[Artifact]] = {}
    for artifact in index.artifacts:
        if artifact.sha256:
            groups.setdefault(artifact.sha256, []).append(artifact)
    return groups
