"""Rules over the keys and certificates of a whole release: each private key and SSH host key,
the same key in several places, certificate problems, and a CA certificate whose private key
ships with it. Also their facts, by fingerprint."""

import base64
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from assay.checks.secrets.certificates import CertInfo, issues
from assay.checks.secrets.filescan import FoundCertificate, FoundKey
from assay.checks.secrets.findings import FindingSink, Property, evidence, release_path
from assay.checks.secrets.nesting import ancestors
from assay.checks.secrets.redact import Redactor
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.finding import Severity
from assay.model.secrets import CertificateFact, KeyFact, SecretLocation

HOST_KEY_NAME = re.compile(
    r"^(ssh_host_\w+_key|dropbear_\w+_host_key|dropbear_\w+_key|\w*_host_key|host_key|hostkey)$"
)


@dataclass(frozen=True, slots=True)
class PlacedKey:
    """A key found in one copy of a file; `ordinal` is its rank among the file's keys."""

    key: FoundKey
    artifact: Artifact
    ordinal: int

    @property
    def host_key(self) -> bool:
        """Whether the file is an SSH server's host key (by its name)."""
        return bool(HOST_KEY_NAME.match(posixpath.basename(self.artifact.path)))


@dataclass(frozen=True, slots=True)
class PlacedCertificate:
    """A certificate found in one copy of a file."""

    certificate: FoundCertificate
    artifact: Artifact
    ordinal: int


def _shape(key: FoundKey) -> str:
    info = key.info
    if info.algorithm == "unknown":
        return "private key"
    size = f" {info.bits}-bit" if info.bits else ""
    return f"{info.algorithm.upper()}{size} private key"


def _describe(key: FoundKey) -> str:
    state = ", encrypted" if key.info.encrypted else ""
    state += "" if key.info.loaded else ", not loadable by cryptography"
    return f"{_shape(key)} ({key.info.format}{state})"


def _shown(key: FoundKey, redactor: Redactor) -> str:
    opened = f" (password: {redactor.value(key.password)})" if key.password else ""
    if key.material.isascii():
        return redactor.block(key.header, key.material) + opened
    encoded = "base64:" + base64.b64encode(key.material).decode("ascii")
    return redactor.block(key.header, key.material, encoded) + opened


def _key_properties(key: FoundKey, certificate: CertInfo | None) -> tuple[Property, ...]:
    info = key.info
    properties: list[Property] = [
        ("fingerprint", info.fingerprint),
        ("algorithm", info.algorithm),
        ("format", info.format),
    ]
    if info.ssh_fingerprint:
        properties.append(("ssh_fingerprint", info.ssh_fingerprint))
    if info.bits:
        properties.append(("bits", info.bits))
    if info.encrypted is not None:
        properties.append(("encrypted", info.encrypted))
    if not info.loaded:
        properties.append(("loaded", False))
    if certificate is not None:
        properties.append(("certificate", certificate.subject))
    return tuple(properties)


def key_findings(
    sink: FindingSink,
    redactor: Redactor,
    keys: list[PlacedKey],
    certificates: dict[str, CertInfo],
) -> None:
    """A finding for each key in each file: `secret.ssh-host-key` for a host key file, else
    `secret.private-key`."""
    for placed in keys:
        key, artifact = placed.key, placed.artifact
        protected = key.info.encrypted and key.password is None
        default = key.password is not None and key.password != ""
        if placed.host_key:
            rule, title = "secret.ssh-host-key", "SSH host key shipped in the image"
            message = f"{_describe(key)}: every device running this image has the same host key"
        else:
            rule, title = "secret.private-key", "Private key"
            message = _describe(key) + (" protected by a default password" if default else "")
        sink.add(
            rule,
            Severity.MEDIUM if protected else Severity.HIGH,
            title,
            message,
            (release_path(artifact), "key", str(placed.ordinal)),
            (evidence(artifact, key.start, None, _shown(key, redactor)),),
            _key_properties(key, certificates.get(key.info.fingerprint)),
        )


def distinct_places(index: FileIndex, placed: list[PlacedKey]) -> list[PlacedKey]:
    """The places of one key, without a container that only holds another of the places (a key
    seen both in a carved blob and in the file unpacked out of it is one place)."""
    containing: set[str] = set()
    for item in placed:
        containing.update(ancestors(index, item.artifact))
    return [p for p in placed if p.artifact.id not in containing]


def duplicate_findings(sink: FindingSink, index: FileIndex, keys: list[PlacedKey]) -> None:
    """`secret.private-key.duplicate` for each key found in more than one file."""
    by_fingerprint: dict[str, list[PlacedKey]] = defaultdict(list)
    for placed in keys:
        by_fingerprint[placed.key.info.fingerprint].append(placed)
    for fingerprint, group in by_fingerprint.items():
        places = distinct_places(index, group)
        if len({release_path(p.artifact) for p in places}) < 2:
            continue  # one file in several copies of a partition is not a key shipped twice
        host_paths = {p.artifact.path for p in places if p.host_key}
        shared_host_key = len(host_paths) > 1
        paths = sorted({p.artifact.path for p in places})
        message = f"the same {_shape(places[0].key)} is in {len(places)} files: " + ", ".join(paths)
        if shared_host_key:
            message += " — one host key serves several SSH servers"
        sink.add(
            "secret.private-key.duplicate",
            Severity.HIGH if shared_host_key else Severity.MEDIUM,
            "Private key shipped more than once",
            message,
            (fingerprint,),
            tuple(evidence(p.artifact, p.key.start) for p in places),
            (("fingerprint", fingerprint), ("copies", len(places))),
        )


def certificate_findings(
    sink: FindingSink,
    certificates: list[PlacedCertificate],
    key_fingerprints: dict[str, list[PlacedKey]],
    now: datetime,
) -> None:
    """The certificate rules at time `now`, and `cert.ca-with-key` for a CA whose private key
    was found anywhere in the release."""
    for placed in certificates:
        info, artifact = placed.certificate.info, placed.artifact
        proof = (evidence(artifact, placed.certificate.start, None, info.subject),)
        properties: tuple[Property, ...] = (("fingerprint", info.fingerprint),)
        about = (release_path(artifact), "certificate", str(placed.ordinal))
        for issue in issues(info, now):
            sink.add(
                issue.rule, issue.severity, issue.title, issue.message, about, proof, properties,
            )  # fmt: skip
        holders = key_fingerprints.get(info.spki_fingerprint, [])
        if info.is_ca and holders:
            keys = tuple(evidence(k.artifact, k.key.start) for k in holders)
            sink.add(
                "cert.ca-with-key",
                Severity.CRITICAL,
                "CA certificate shipped with its private key",
                f"the private key of CA '{info.subject}' is in the release: anyone can issue "
                "certificates this CA vouches for",
                (info.fingerprint,),
                proof + keys,
                properties,
            )


def _location(artifact: Artifact, offset: int) -> SecretLocation:
    return SecretLocation(artifact.id, artifact.location, artifact.path, offset)


def _sorted(locations: Iterable[SecretLocation]) -> tuple[SecretLocation, ...]:
    return tuple(sorted(locations, key=lambda x: (x.location, x.offset or 0, x.artifact)))


def key_facts(keys: list[PlacedKey]) -> tuple[KeyFact, ...]:
    """One fact per key fingerprint with all its places."""
    groups: dict[str, list[PlacedKey]] = defaultdict(list)
    for placed in keys:
        groups[placed.key.info.fingerprint].append(placed)
    facts = []
    for fingerprint, group in sorted(groups.items()):
        info = group[0].key.info
        facts.append(
            KeyFact(
                fingerprint=fingerprint,
                ssh_fingerprint=info.ssh_fingerprint,
                algorithm=info.algorithm,
                bits=info.bits,
                encrypted=info.encrypted,
                formats=tuple(sorted({p.key.info.format for p in group})),
                host_key=any(p.host_key for p in group),
                locations=_sorted(_location(p.artifact, p.key.start) for p in group),
            )
        )
    return tuple(facts)


def certificate_facts(
    certificates: list[PlacedCertificate], key_fingerprints: set[str]
) -> tuple[CertificateFact, ...]:
    """One fact per certificate (by DER hash) with all its places."""
    groups: dict[str, list[PlacedCertificate]] = defaultdict(list)
    for placed in certificates:
        groups[placed.certificate.info.fingerprint].append(placed)
    facts = []
    for fingerprint, group in sorted(groups.items()):
        info = group[0].certificate.info
        facts.append(
            CertificateFact(
                fingerprint=fingerprint,
                spki_fingerprint=info.spki_fingerprint,
                subject=info.subject,
                issuer=info.issuer,
                serial=info.serial,
                not_before=info.not_before.isoformat(),
                not_after=info.not_after.isoformat(),
                key_algorithm=info.key_algorithm,
                key_bits=info.key_bits,
                signature_hash=info.signature_hash,
                self_signed=info.self_signed,
                is_ca=info.is_ca,
                private_key_found=info.spki_fingerprint in key_fingerprints,
                locations=_sorted(_location(p.artifact, p.certificate.start) for p in group),
            )
        )
    return tuple(facts)
