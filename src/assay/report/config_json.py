"""The `config` facts of evaluation.json: services started at boot and how, init scripts, setuid
and world-writable paths, effective sshd settings — sorted, so the output is deterministic."""

from typing import Any

from assay.model.config import (
    BootScript,
    BootService,
    ConfigFacts,
    ConfigSource,
    SpecialModeFile,
    SshdConfig,
    WritablePath,
)
from assay.model.ids import display_path


def _source(source: ConfigSource) -> dict[str, Any]:
    return {
        "artifact": source.artifact,
        "path": display_path(source.path),
        "location": display_path(source.location),
        "line": source.line,
        "text": source.text,
    }


def _service(service: BootService) -> dict[str, Any]:
    return {
        "name": service.name,
        "program": service.program,
        "arguments": list(service.arguments),
        "mechanism": service.mechanism.value,
        "state": service.state.value,
        "reason": service.reason,
        "trigger": service.trigger,
        "condition": service.condition,
        "source": _source(service.source),
    }


def _script(script: BootScript) -> dict[str, Any]:
    return {
        "path": display_path(script.path),
        "location": display_path(script.location),
        "artifact": script.artifact,
        "state": script.state.value,
        "reason": script.reason,
    }


def _special(entry: SpecialModeFile) -> dict[str, Any]:
    return {
        "path": display_path(entry.path),
        "location": display_path(entry.location),
        "artifact": entry.artifact,
        "mode": f"{entry.mode:04o}",
        "setuid": entry.setuid,
        "setgid": entry.setgid,
    }


def _writable(entry: WritablePath) -> dict[str, Any]:
    return {
        "path": display_path(entry.path),
        "location": display_path(entry.location),
        "artifact": entry.artifact,
        "mode": f"{entry.mode:04o}",
        "directory": entry.directory,
        "sticky": entry.sticky,
    }


def _sshd(config: SshdConfig) -> dict[str, Any]:
    return {
        "path": display_path(config.path),
        "location": display_path(config.location),
        "artifact": config.artifact,
        "settings": [
            {"keyword": s.keyword, "value": s.value, "origin": s.origin}
            for s in sorted(config.settings, key=lambda s: s.keyword)
        ],
    }


def _service_key(service: dict[str, Any]) -> tuple[str, int, str, str]:
    source = service["source"]
    return (source["location"], source["line"] or 0, service["name"], service["mechanism"])


def facts_to_json(facts: ConfigFacts) -> dict[str, Any]:
    """The configuration facts as a JSON-ready dict."""
    services = sorted((_service(s) for s in facts.services), key=_service_key)
    return {
        "init_systems": sorted(
            (
                {"root": display_path(i.root), "init": i.init, "evidence": i.evidence}
                for i in facts.init_systems
            ),
            key=lambda i: i["root"],
        ),
        "services": services,
        "services_enabled": sum(1 for s in services if s["state"] == "enabled"),
        "boot_scripts": sorted(
            (_script(s) for s in facts.boot_scripts), key=lambda s: s["location"]
        ),
        "setuid_files": sorted(
            (_special(s) for s in facts.setuid_files), key=lambda s: s["location"]
        ),
        "world_writable": sorted(
            (_writable(w) for w in facts.world_writable), key=lambda w: w["location"]
        ),
        "sshd": sorted((_sshd(c) for c in facts.sshd), key=lambda c: c["location"]),
        "notes": sorted(facts.notes),
    }
