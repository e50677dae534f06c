"""An upstream version judged from distributions' fixed versions (presumed, lower confidence).

Used only for records that carry neither CPE configurations nor CVE 5 data for the product, only
the Debian/Alpine fixed versions of its packages (`osv_affected`, e.g. CVE-2022-0778 for OpenSSL).
A distribution's fixed package `1.1.1n-r0` says the upstream release it packages, `1.1.1n`, is
fixed when the package is a plain rebuild of it (Alpine `-r0`, Debian revision `0…`/`1`), and
is still affected when the distribution patched it (a later revision: `9.7_p1-r4`,
`7.88.1-10+deb12u4`).

Policy, per release line (OpenSSL `1.0.2`/`3.0`, the kernel's stable branch, else major.minor):
- a fix on the version's own line decides: affected iff older than the newest such fix (or equal
  to it when that fix is a distribution's patch);
- no fix on its line: not affected when the line is newer than every fixed line; affected
  (presumed) when it lies between fixed lines (it ended before the fix, or never received it) or
  is older than two or more fixed lines (the flaw predates them); undecided when older than the
  only fixed line (a flaw of newer code is as likely as an unfixed old line);
- only unfixed ranges (no distribution has a fix): affected (presumed), from `introduced` on.
A range "fixed 0" is the distribution saying its package never had the flaw: neither a fix nor
an unfixed range.
"""

import re
from dataclasses import dataclass
from typing import Any

from assay.catalog.metadata.products import product_table, upstream_version
from assay.vuln.affected_osv import of_record
from assay.vuln.match_result import SILENT, Decision, Status
from assay.vuln.source import CveRecord
from assay.vuln.versions import Scheme, compare, kernel_branch

NUMBERS = re.compile(r"[0-9]+")
DEBIAN_REBUILD_REVISION = re.compile(r"^(0|1)([+~].*)?$")
ALPINE_REVISION = re.compile(r"-r([0-9]+)$")


@dataclass(frozen=True, slots=True)
class Fix:
    """An upstream release a distribution fixed the CVE in, and whether it patched it."""

    upstream: str
    patched: bool
    source: str


def decide(record: CveRecord, product: str, version: str, scheme: Scheme) -> Decision:
    """What the distributions' fixes of the product's packages suggest about an upstream version."""
    fixes, starts = _fixes(record, product)
    if not fixes and not starts:
        return SILENT
    if compare(version, version, scheme) is None:
        return Decision(Status.UNDECIDED, f"version {version!r} cannot be parsed ({scheme.value})")
    why = {"fixes": [f"{f.source} ({'patched ' if f.patched else ''}{f.upstream})" for f in fixes]}
    if not fixes:
        if any(compare(version, s, scheme) in (None, -1) for s, _ in starts if s != "0"):
            return SILENT
        sentence = f"no distribution has a fix for {product}; presumed affected"
        unfixed = [f"{source} (introduced {start})" for start, source in starts]
        return Decision(Status.AFFECTED, sentence, {**why, "unfixed": unfixed}, presumed=True)
    line = release_line(version, scheme)
    own = [f for f in fixes if release_line(f.upstream, scheme) == line]
    if own:
        return _on_line(own, version, scheme, why)
    fixed_lines = sorted({release_line(f.upstream, scheme) for f in fixes})
    if line > fixed_lines[-1]:
        return Decision(Status.UNAFFECTED, "newer than every fixed line", why, presumed=True)
    if line < fixed_lines[0] and len(fixed_lines) == 1:
        reason = (
            f"distributions fixed only the {_dotted(fixed_lines[0])} line of {product}; whether "
            f"the older {_dotted(line)} line has the flaw is not in the data"
        )
        return Decision(Status.UNDECIDED, reason, why)
    sentence = (
        f"{product} {version}: distributions fixed other release lines only "
        f"({', '.join(sorted({f.upstream for f in fixes}))}); presumed affected"
    )
    return Decision(Status.AFFECTED, sentence, why, presumed=True)


def _on_line(own: list[Fix], version: str, scheme: Scheme, why: dict[str, Any]) -> Decision:
    newest = own[0]
    for fix in own[1:]:
        order = compare(fix.upstream, newest.upstream, scheme)
        if order == 1 or (order == 0 and not fix.patched):
            newest = fix
    order = compare(version, newest.upstream, scheme)
    if order is None:
        reason = f"version {version!r} cannot be compared with {newest.upstream!r}"
        return Decision(Status.UNDECIDED, reason, why)
    if order < 0 or (order == 0 and newest.patched):
        how = "patched" if newest.patched else "fixed"
        sentence = f"{version} is not newer than {newest.upstream}, {how} by {newest.source}"
        fixed = None if newest.patched else newest.upstream
        return Decision(Status.AFFECTED, sentence, why, fixed=fixed, presumed=True)
    return Decision(
        Status.UNAFFECTED, f"{newest.source} fixed {newest.upstream}", why, presumed=True
    )


def _fixes(record: CveRecord, product: str) -> tuple[list[Fix], list[tuple[str, str]]]:
    """Fixed upstream releases, and the `introduced` (with its source) of ranges without a fix."""
    table = product_table()
    fixes: list[Fix] = []
    starts: list[tuple[str, str]] = []
    for affected in of_record(record):
        if table.product(affected.package) != product:
            continue
        kind = "apk" if any(e.startswith("Alpine") for e in affected.ecosystems) else "deb"
        for rng in affected.ranges:
            if rng.get("type") != "ECOSYSTEM":
                continue
            events = rng.get("events", ())
            fixed = [str(e["fixed"]) for e in events if "fixed" in e]
            if fixed and all(f == "0" for f in fixed):
                continue  # Debian's and Alpine's "fixed 0": the release never had the flaw
            source = f"{affected.ecosystems[0] if affected.ecosystems else kind} {affected.package}"
            starts += [
                (upstream_version(kind, str(e["introduced"])), source)
                for e in events
                if "introduced" in e
            ]
            fixes += [
                Fix(upstream_version(kind, f), _patched(kind, f), f"{source} {f}")
                for f in fixed
                if f != "0"  # Debian's "fixed 0": the release never had the flaw
            ]
    return fixes, [] if fixes else starts


def _patched(kind: str, packaged: str) -> bool:
    """Whether a distribution version is the upstream release with the distribution's patches."""
    if kind == "apk":
        revision = ALPINE_REVISION.search(packaged)
        return revision is not None and revision[1] != "0"
    plain = packaged.split(":", 1)[-1]
    if "-" not in plain:
        return False
    return DEBIAN_REBUILD_REVISION.match(plain.rsplit("-", 1)[1]) is None


def _dotted(line: tuple[int, ...]) -> str:
    return ".".join(map(str, line))


def release_line(version: str, scheme: Scheme) -> tuple[int, ...]:
    """The release line a version belongs to: the kernel's stable branch, OpenSSL's `1.0.2` or
    `3.0`, else the first two numbers."""
    if scheme is Scheme.KERNEL:
        return kernel_branch(version) or ()
    numbers = tuple(
        int(n) for n in NUMBERS.findall(re.split(r"[a-zA-Z_~+-]", version, maxsplit=1)[0])
    )
    if scheme is Scheme.OPENSSL and numbers[:1] in ((0,), (1,)):
        return numbers[:3]
    return numbers[:2]
