"""Cron jobs (crontab(5): `/etc/crontab` and `/etc/cron.d/*` with a user field; per-user tables
in `/var/spool/cron/crontabs`, `/var/spool/cron`, `/etc/crontabs` as BusyBox crond and OpenWrt
keep them; `/etc/cron.{hourly,daily,weekly,monthly}` run by run-parts) that run a file any local
user can write: world-writable, in a world-writable directory, or under /tmp."""

import posixpath
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass

from assay.checks.config.findings import FindingSet, evidence_of
from assay.checks.config.launch import launch_of
from assay.checks.config.scan import RootScan, source_of
from assay.checks.config.shell import parse_script
from assay.model.config import ConfigSource
from assay.model.finding import Severity

SYSTEM_TABLES = ("/etc/crontab",)
SYSTEM_DIRS = ("/etc/cron.d",)
USER_DIRS = ("/var/spool/cron/crontabs", "/var/spool/cron", "/etc/crontabs", "/var/spool/cron/tabs")
RUN_PARTS_DIRS = ("/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly")
ENVIRONMENT_LINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
WHY = "a local user who writes it first or changes it gets their code run by cron"


@dataclass(frozen=True, slots=True)
class CronJob:
    """One job: who runs it, the command, and where it is written."""

    user: str
    command: str
    source: ConfigSource


def parse_crontab(
    text: str, has_user: bool, default_user: str
) -> Iterator[tuple[int, str, str, str]]:
    """(line, user, command, line as written) for each job line."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or ENVIRONMENT_LINE.match(line):
            continue
        schedule = 1 if line.startswith("@") else 5
        fields = line.split(None, schedule + has_user)
        if len(fields) <= schedule + has_user:
            continue
        user = fields[schedule] if has_user else default_user
        command = UNESCAPED_PERCENT.split(fields[-1], maxsplit=1)[0]
        yield number, user, command, raw


def _tables(scan: RootScan) -> Iterator[tuple[str, bool, str]]:
    root = scan.root
    yield from ((path, True, "root") for path in SYSTEM_TABLES)
    for directory in SYSTEM_DIRS:
        yield from ((path, True, "root") for path in root.listdir(directory))
    for directory in USER_DIRS:
        for path in root.listdir(directory):
            if root.file(path) is not None:
                yield path, False, posixpath.basename(path)


def cron_jobs(scan: RootScan) -> Iterator[CronJob]:
    """Every job in every crontab of the root."""
    seen = set()
    for path, has_user, default_user in _tables(scan):
        found = scan.text(path)
        if found is None or found[0].id in seen:
            continue
        seen.add(found[0].id)
        artifact, text = found
        for line, user, command, raw in parse_crontab(text, has_user, default_user):
            yield CronJob(user, command, source_of(scan.root, artifact, path, line, raw))


def _targets(scan: RootScan, command: str) -> Iterator[str]:
    """Files a job runs: its programs and the scripts it hands to an interpreter."""
    rules = scan.rules
    for parsed in parse_script(command).commands:
        launch = launch_of(parsed.words)
        if launch is None:
            continue
        if launch.program.startswith("/"):
            yield launch.program
        interpreted = launch.name in (".", "source", "run-parts") or rules.is_escape_tool(
            launch.name
        )
        if interpreted:
            yield from (a for a in launch.arguments if a.startswith("/"))


def _writable_reason(scan: RootScan, path: str, directories: dict[str, int]) -> str | None:
    real = scan.root.canonical(path) or path
    shared = next((d for d in scan.rules.shared_writable if real.startswith(d + "/")), None)
    if shared is not None:
        return f"{path} is under {shared}, where every local user can create files"
    artifact = scan.root.file(path)
    if artifact is not None and artifact.mode & stat.S_IWOTH:
        return f"{path} is world-writable (mode {artifact.mode:04o})"
    folder = posixpath.dirname(real)
    mode = directories.get(scan.root.release_path(folder))
    if mode is not None and mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        return f"{folder} is world-writable (mode {mode:04o})"
    return None


def _add(found: FindingSet, job: CronJob, target: str, reason: str) -> None:
    severity = Severity.HIGH if job.user == "root" else Severity.MEDIUM
    message = f"A cron job of {job.user} runs `{job.command.strip()}`: {reason}; {WHY}."
    title = f"Cron job runs a writable file ({posixpath.basename(target)})"
    key = f"{job.source.path}|{target}"
    found.add("config.cron.writable-target", severity, title, message, key, evidence_of(job.source))


def cron_findings(scan: RootScan, found: FindingSet, directories: dict[str, int]) -> None:
    """Findings for cron jobs (and run-parts scripts) that run files others can write."""
    for job in cron_jobs(scan):
        for target in _targets(scan, job.command):
            reason = _writable_reason(scan, target, directories)
            if reason is not None:
                _add(found, job, target, reason)
    for directory in RUN_PARTS_DIRS:
        for path in scan.root.listdir(directory):
            artifact = scan.root.file(path)
            if artifact is None or not artifact.mode & stat.S_IWOTH:
                continue
            text = f"{directory} is run by run-parts as root; mode {artifact.mode:04o}"
            source = ConfigSource(
                artifact.id, scan.root.release_path(path), artifact.location, None, text
            )
            job = CronJob("root", f"run-parts {directory}", source)
            reason = f"{path} is world-writable (mode {artifact.mode:04o})"
            _add(found, job, path, reason)
