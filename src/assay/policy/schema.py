"""The policy file: pydantic models that validate it, and one-line errors naming the field."""

import fnmatch
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from assay.checks.census.table import default_table
from assay.model.finding import Severity


def between(low: float, high: float) -> AfterValidator:
    """A validator of `low <= value <= high` whose message states the range."""

    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, not {value:g}")
        return value

    return AfterValidator(check)


Percent = Annotated[float, between(0, 100)]
TOTAL = "total"


class PolicyError(ValueError):
    """A policy file that cannot be used; the message is one line naming the file and field."""


class StrictModel(BaseModel):
    """Unknown keys are errors; values are not coerced from other types (no `"yes"` for true)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Waiver(StrictModel):
    """An accepted risk: a CVE, vulnerability id, finding id or finding rule (globs allowed)
    left out of the gate until `expires`."""

    id: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    expires: date

    @field_validator("expires", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None

    def matches(self, *keys: str) -> bool:
        """True when one of the keys (CVE, ids, rule) is this waiver's id or fits its glob."""
        return any(fnmatch.fnmatchcase(key, self.id) for key in keys if key)

    def active_on(self, today: date) -> bool:
        """A waiver applies up to the day before its expiry date."""
        return today < self.expires


class MinHardening(StrictModel):
    """Minimum share of ELF files (executables and libraries together; PIE: executables) that
    have each protection, in percent of facts.hardening's matrix."""

    nx: Percent | None = None
    pie: Percent | None = None
    relro: Percent | None = None
    relro_full: Percent | None = None
    canary: Percent | None = None
    fortify: Percent | None = None
    stripped: Percent | None = None

    def minimums(self) -> dict[str, float]:
        """Matrix property name (`relro-full`) → minimum percent, for the keys that are set."""
        return {
            name.replace("_", "-"): value
            for name, value in self.model_dump(exclude_none=True).items()
        }


class Policy(StrictModel):
    """A policy: every rule is optional; a rule left out is not checked."""

    version: Literal[1]
    name: Annotated[str, Field(min_length=1)]
    description: str | None = None
    fail_on_kev: bool = False
    max_cvss: Annotated[float, between(0, 10)] | None = None
    max_severity: Literal["info", "low", "medium", "high", "critical"] | None = None
    max_epss: Annotated[float, between(0, 1)] | None = None
    fail_on_private_keys: bool = False
    min_hardening: MinHardening | None = None
    fail_on_eol: bool = False
    max_unsafe_ratio: dict[str, Percent] | None = None
    forbidden_rules: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    require_complete: bool = False
    vuln_data_max_age_days: Annotated[int, between(0, 100_000)] | None = None
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("max_unsafe_ratio")
    @classmethod
    def _known_families(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        known = set(default_table().families)
        for family in value or {}:
            if family != TOTAL and family not in known:
                raise ValueError(
                    f"unknown function family {family!r} (known: {TOTAL}, "
                    + ", ".join(sorted(known))
                    + ")"
                )
        return value

    def rule_names(self) -> list[str]:
        """The rules this policy sets (a false flag or an empty list sets nothing)."""
        about = ("version", "name", "description", "waivers")
        return [
            name
            for name in type(self).model_fields
            if name not in about and getattr(self, name) not in (None, False, [], {})
        ]

    @property
    def severity_threshold(self) -> Severity | None:
        """max_severity as a Severity."""
        return None if self.max_severity is None else Severity.from_label(self.max_severity)


def _field_path(location: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part not in ("float", "int", "str", "bool", "date", "constrained-float"):
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def _message(error: dict[str, object]) -> str:
    kind, text = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    text = text.replace("Input should be", "must be").replace("Value error, ", "")
    return re.sub(r"a valid dictionary or instance of \w+", "a mapping", text)


def describe(error: ValidationError, origin: str) -> str:
    """The first validation error as one line: `policy.yaml: min_hardening.nx: must be …`."""
    first = error.errors()[0]
    where = _field_path(tuple(first["loc"]))
    return f"{origin}: {where}: {_message(dict(first))}".replace("\n", " ")


def parse_policy(text: str, origin: str) -> Policy:
    """Validate a policy's YAML text; PolicyError (one line, naming the field) when it is bad."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{origin}: not valid YAML{where}") from None
    except ValueError as err:  # a YAML date that is not a calendar date
        raise PolicyError(f"{origin}: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{origin}: a policy is a mapping of keys (version, name, rules…)")
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        raise PolicyError(describe(err, origin)) from None


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise PolicyError(f"{path}: cannot read: {reason or err}") from None
    return parse_policy(text, path.name)
