"""The `secrets` facts of evaluation.json: counts, key and certificate fingerprints (to follow a
key across releases), accounts and the default-password trials. Holds no secret."""

from typing import Any

from assay.model.ids import display_path
from assay.model.secrets import (
    AccountFact,
    CertificateFact,
    KeyFact,
    PasswordTrials,
    SecretFacts,
    SecretLocation,
)


def _location(location: SecretLocation) -> dict[str, Any]:
    record: dict[str, Any] = {
        "artifact": location.artifact,
        "location": display_path(location.location),
        "path": display_path(location.path),
    }
    if location.offset is not None:
        record["offset"] = location.offset
    if location.line is not None:
        record["line"] = location.line
    return record


def _locations(locations: tuple[SecretLocation, ...]) -> list[dict[str, Any]]:
    ordered = sorted(locations, key=lambda x: (x.location, x.offset or 0, x.artifact))
    return [_location(x) for x in ordered]


def _key(fact: KeyFact) -> dict[str, Any]:
    return {
        "fingerprint": fact.fingerprint,
        "ssh_fingerprint": fact.ssh_fingerprint,
        "algorithm": fact.algorithm,
        "bits": fact.bits,
        "encrypted": fact.encrypted,
        "formats": sorted(fact.formats),
        "host_key": fact.host_key,
        "locations": _locations(fact.locations),
    }


def _certificate(fact: CertificateFact) -> dict[str, Any]:
    return {
        "fingerprint": fact.fingerprint,
        "spki_fingerprint": fact.spki_fingerprint,
        "subject": fact.subject,
        "issuer": fact.issuer,
        "serial": fact.serial,
        "not_before": fact.not_before,
        "not_after": fact.not_after,
        "key_algorithm": fact.key_algorithm,
        "key_bits": fact.key_bits,
        "signature_hash": fact.signature_hash,
        "self_signed": fact.self_signed,
        "is_ca": fact.is_ca,
        "private_key_found": fact.private_key_found,
        "locations": _locations(fact.locations),
    }


def _account(fact: AccountFact) -> dict[str, Any]:
    return {
        "user": fact.user,
        "source": fact.source,
        "state": fact.state,
        "scheme": fact.scheme,
        "default_password": fact.default_password,
        "location": _location(fact.location),
    }


def _trials(trials: PasswordTrials) -> dict[str, Any]:
    return {
        "passwords": trials.passwords,
        "tried": trials.tried,
        "matched": trials.matched,
        "slow": trials.slow,
        "out_of_budget": trials.out_of_budget,
        "budget_seconds": trials.budget_seconds,
    }


def facts_to_json(facts: SecretFacts) -> dict[str, Any]:
    """The secrets facts as a JSON-ready dict, every list in a fixed order."""
    accounts = sorted(
        facts.accounts, key=lambda a: (a.location.location, a.location.line or 0, a.user)
    )
    return {
        "counts": dict(sorted(facts.counts)),
        "files_scanned": facts.files_scanned,
        "bytes_scanned": facts.bytes_scanned,
        "keys": [_key(k) for k in sorted(facts.keys, key=lambda k: k.fingerprint)],
        "certificates": [
            _certificate(c) for c in sorted(facts.certificates, key=lambda c: c.fingerprint)
        ],
        "accounts": [_account(a) for a in accounts],
        "password_trials": _trials(facts.trials),
    }
