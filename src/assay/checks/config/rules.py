"""The configuration check's data (`config-rules.yaml`): service families, shells, interpreters,
weak SSH algorithms — loaded once and validated."""

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from assay.model.finding import Severity

RULES_FILE = "config-rules.yaml"


class ConfigRulesError(Exception):
    """The data file is malformed; the message names the entry."""


@dataclass(frozen=True, slots=True)
class ServiceFamily:
    """Programs that make up one kind of risky service, and how much it matters."""

    family: str
    rule: str
    title: str
    programs: frozenset[str]
    inetd: frozenset[str]
    enabled: Severity
    present: Severity
    why: str


@dataclass(frozen=True, slots=True)
class WeakAlgorithm:
    """An SSH algorithm name (or name prefix) judged weak."""

    name: str
    severity: Severity
    why: str
    prefix: bool = False

    def matches(self, algorithm: str) -> bool:
        """Whether `algorithm` is this one (or starts with it, for prefix entries)."""
        return algorithm.startswith(self.name) if self.prefix else algorithm == self.name


@dataclass(frozen=True, slots=True)
class ConfigRules:
    """Everything in the data file."""

    services: tuple[ServiceFamily, ...]
    debug: tuple[ServiceFamily, ...]
    shells: frozenset[str]
    multicall: frozenset[str]
    interpreters: re.Pattern[str]
    daemons: frozenset[str]
    shared_writable: tuple[str, ...]
    system_prefixes: tuple[str, ...]
    ssh_algorithms: dict[str, tuple[WeakAlgorithm, ...]]

    def service_for(self, program: str) -> ServiceFamily | None:
        """The insecure-service family a program basename belongs to."""
        return next((f for f in self.services if program in f.programs), None)

    def debug_for(self, program: str) -> ServiceFamily | None:
        """The debug-service family a program basename belongs to."""
        return next((f for f in self.debug if program in f.programs), None)

    def is_shell(self, program: str) -> bool:
        """Whether a basename is a command interpreter for people (sh, ash, bash …)."""
        return program.lstrip("-") in self.shells

    def is_escape_tool(self, program: str) -> bool:
        """Whether a basename gives a shell or arbitrary file access when setuid."""
        name = program.lstrip("-")
        return name in self.shells or name in self.multicall or bool(self.interpreters.match(name))

    def weak(self, keyword: str, algorithm: str) -> WeakAlgorithm | None:
        """The weak-algorithm entry for an algorithm listed under an sshd keyword."""
        return next((w for w in self.ssh_algorithms.get(keyword, ()) if w.matches(algorithm)), None)


def _severity(entry: dict[str, Any], key: str, where: str) -> Severity:
    try:
        return Severity.from_label(str(entry[key]))
    except (KeyError, ValueError) as err:
        raise ConfigRulesError(f"{where}: bad or missing {key!r}") from err


def _family(entry: dict[str, Any], enabled_key: str) -> ServiceFamily:
    where = f"family {entry.get('family')!r}"
    try:
        return ServiceFamily(
            family=str(entry["family"]),
            rule=str(entry["rule"]),
            title=str(entry["title"]),
            programs=frozenset(str(p) for p in entry["programs"]),
            inetd=frozenset(str(s) for s in entry.get("inetd", ())),
            enabled=_severity(entry, enabled_key, where),
            present=_severity(entry, "present", where),
            why=" ".join(str(entry["why"]).split()),
        )
    except (KeyError, TypeError) as err:
        raise ConfigRulesError(f"{where}: {err}") from err


def _algorithms(table: dict[str, Any]) -> dict[str, tuple[WeakAlgorithm, ...]]:
    result: dict[str, tuple[WeakAlgorithm, ...]] = {}
    for keyword, entries in table.items():
        result[keyword] = tuple(
            WeakAlgorithm(
                name=str(name),
                severity=_severity(entry, "severity", f"{keyword} {name}"),
                why=str(entry.get("why", "")),
                prefix=bool(entry.get("prefix", False)),
            )
            for name, entry in entries.items()
        )
    return result


def parse_rules(text: str) -> ConfigRules:
    """Validate the data file's text into ConfigRules."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ConfigRulesError(f"{RULES_FILE}: expected a mapping with version: 1")
    patterns = "|".join(fnmatch.translate(p) for p in data["interpreters"])
    return ConfigRules(
        services=tuple(_family(e, "enabled") for e in data["services"]),
        debug=tuple(_family(e, "started") for e in data["debug"]),
        shells=frozenset(data["shells"]),
        multicall=frozenset(data["multicall"]),
        interpreters=re.compile(patterns),
        daemons=frozenset(data["daemons"]),
        shared_writable=tuple(data["shared_writable"]),
        system_prefixes=tuple(data["system_prefixes"]),
        ssh_algorithms=_algorithms(data["ssh_algorithms"]),
    )


@cache
def config_rules() -> ConfigRules:
    """The built-in rules, parsed once."""
    text = resources.files("assay.data").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_rules(text)
