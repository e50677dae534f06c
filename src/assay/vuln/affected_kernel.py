"""Linux kernel CVEs by stable branch: `kernel_fixed_in` maps a branch (`5.10`) to its first
fixed release (`5.10.102`), from nluedtke/linux_kernel_cves.

- The version's branch is listed: affected iff older than that branch's fix
  (`5.10.90` < `5.10.102`).
- The branch is not listed (policy, `presumed` in the decision):
  - newer than every listed branch: not affected. The list names the stable branches that took a
    backport; mainline had the fix by the release after the newest of them (so in 657 of the 669
    records of the shipped data that also carry the kernel CNA's mainline fix version).
  - between listed branches: affected, presumed. A branch older than it needed the fix, so the
    flaw was already there; an end-of-life branch never received the backport.
  - older than every listed branch: undecided. The flaw may have come later (Dirty Pipe,
    CVE-2022-0847, began in 5.8 and lists only 5.10+ fixes), and without the CVE 5 data, which
    the matcher asks first, nothing says when it began.
"""

from assay.vuln.match_result import SILENT, Decision, Status
from assay.vuln.versions import Scheme, compare, kernel_branch


def decide(fixed_in: dict[str, str], version: str) -> Decision:
    """What the stable-branch fix list says about a kernel version."""
    if not fixed_in:
        return SILENT
    branch = kernel_branch(version)
    if branch is None or compare(version, version, Scheme.KERNEL) is None:
        reason = f"kernel version {version!r} has no stable branch"
        return Decision(Status.UNDECIDED, reason, {"kernel_fixed_in": fixed_in})
    why = {"kernel_fixed_in": fixed_in, "branch": ".".join(map(str, branch))}
    listed = {kernel_branch(b): (b, f) for b, f in fixed_in.items() if kernel_branch(b)}
    if branch in listed:
        name, fixed = listed[branch]
        order = compare(version, fixed, Scheme.KERNEL)
        if order is None:
            reason = f"kernel {version!r} cannot be compared with {fixed!r}"
            return Decision(Status.UNDECIDED, reason, why)
        if order >= 0:
            return Decision(Status.UNAFFECTED, f"fixed on the {name} branch in {fixed}", why)
        sentence = f"linux_kernel {version} is older than {fixed}, the fix on the {name} branch"
        return Decision(Status.AFFECTED, sentence, {**why, "fixed": fixed}, fixed=fixed)
    newest = max(b for b in listed if b is not None)
    if branch > newest:
        sentence = f"branch {why['branch']} is newer than every branch with a fix"
        return Decision(Status.UNAFFECTED, sentence, why, presumed=True)
    oldest = min(b for b in listed if b is not None)
    branches = ", ".join(sorted(fixed_in, key=lambda b: kernel_branch(b) or ()))
    if branch < oldest:
        reason = (
            f"linux_kernel {version}: branch {why['branch']} is older than every branch with a "
            f"fix ({branches}); when the flaw began is not known"
        )
        return Decision(Status.UNDECIDED, reason, why)
    sentence = (
        f"linux_kernel {version}: branch {why['branch']} received no fix and lies between the "
        f"branches that did ({branches}); presumed affected"
    )
    return Decision(Status.AFFECTED, sentence, why, presumed=True)
