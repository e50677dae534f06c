"""The Linux kernel: stable-branch fixes, the kernel CNA's CVE 5 ranges, and the branch policy."""

import pytest

from assay.vuln import affected_cve5
from assay.vuln.aliases import product_names
from assay.vuln.match_result import MatchMethod, Status, VulnMatch
from assay.vuln.matcher import Matcher
from assay.vuln.versions import Scheme
from tests.vuln.matching_support import component, full_source


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(full_source())


def matched(matcher: Matcher, version: str) -> dict[str, VulnMatch]:
    return {m.cve: m for m in matcher.assess(component("linux_kernel", version)).matches}


def test_dirty_pipe_on_a_listed_branch(matcher: Matcher) -> None:
    # CVE-2022-0847: kernel_fixed_in {5.10: 5.10.102, 5.15: 5.15.25, 5.16: 5.16.11}
    match = matched(matcher, "5.10.90")["CVE-2022-0847"]
    assert match.method is MatchMethod.KERNEL_STABLE_FIX
    assert match.fixed_version == "5.10.102"
    assert not match.presumed
    assert match.sentence == (
        "linux_kernel 5.10.90 is older than 5.10.102, the fix on the 5.10 branch"
    )
    assert "CVE-2022-0847" not in matched(matcher, "5.10.102")
    assert "CVE-2022-0847" in matched(matcher, "5.15.24")
    assert "CVE-2022-0847" not in matched(matcher, "5.15.25")


def test_dirty_pipe_on_unlisted_branches(matcher: Matcher) -> None:
    between = matched(matcher, "5.12.19")["CVE-2022-0847"]
    assert between.presumed and between.fixed_version is None
    assert "between the branches that did" in between.sentence
    assert "CVE-2022-0847" not in matched(matcher, "6.1.0")


def test_older_than_every_fixed_branch_is_undecided(matcher: Matcher) -> None:
    # CVE-2004-0230 (TCP reset spoofing) only lists {3.2: 3.2.37}; Dirty Pipe began in 5.8 and
    # lists 5.10+ only: when a flaw began is unknown below the oldest fixed branch
    result = matcher.assess(component("linux_kernel", "2.6.32"))
    assert "CVE-2004-0230" not in {m.cve for m in result.matches}
    undecided = {u.cve: u for u in result.undecided}
    assert "older than every branch with a fix" in undecided["CVE-2004-0230"].reason
    assert "CVE-2022-0847" not in matched(matcher, "5.4.200")
    assert "CVE-2004-0230" not in matched(matcher, "3.2.37")
    assert "CVE-2004-0230" not in matched(matcher, "4.19.0")


def test_kernel_cna_ranges_decide_where_the_branch_list_is_silent(matcher: Matcher) -> None:
    # CVE-2019-25162: fixed_in lists 4.14 … 5.18; the kernel CNA also has 5.19.2 and 6.0, and
    # "unaffected below 4.3"
    assert matched(matcher, "5.10.136")["CVE-2019-25162"].method is MatchMethod.KERNEL_STABLE_FIX
    assert "CVE-2019-25162" not in matched(matcher, "5.10.137")
    cna = matched(matcher, "5.19.1")["CVE-2019-25162"]
    assert cna.method is MatchMethod.CVE5_AFFECTED and not cna.presumed
    assert "CVE-2019-25162" not in matched(matcher, "5.19.2")
    assert "CVE-2019-25162" not in matched(matcher, "6.1.0")
    assert "CVE-2019-25162" not in matched(matcher, "4.2.8")


def test_adp_kernel_ranges_are_read_per_branch() -> None:
    # CVE-2017-1000253: CISA-ADP ranges [2.6.25, 3.2.70) … [3.19, 3.19.7) and [1.0, 4.0.2)
    record = full_source().record("CVE-2017-1000253")
    assert record is not None
    entries = affected_cve5.parse_entries(record)
    names, packages = product_names("linux_kernel"), frozenset({"linux_kernel"})

    def status(version: str) -> Status:
        return affected_cve5.decide(entries, names, version, Scheme.KERNEL, packages).status

    assert status("3.2.60") is Status.AFFECTED
    assert status("3.2.80") is Status.UNAFFECTED  # fixed on its branch, not in [1.0, 4.0.2)
    assert status("3.19.5") is Status.AFFECTED
    assert status("4.0.1") is Status.AFFECTED
    assert status("4.0.2") is not Status.AFFECTED


def test_kernel_version_without_a_branch_is_undecided(matcher: Matcher) -> None:
    result = matcher.assess(component("linux_kernel", "unknown"))
    # only records that name every version without bounds can apply to an unknown version
    assert all("is covered by every version" in m.sentence for m in result.matches)
    assert "CVE-2022-0847" in {u.cve for u in result.undecided}
    assert len(result.undecided) > 1000


def test_kernel_matching_is_deterministic(matcher: Matcher) -> None:
    first = matcher.assess(component("linux_kernel", "5.4.100"))
    again = Matcher(full_source()).assess(component("linux_kernel", "5.4.100"))
    assert [m.cve for m in first.matches] == [m.cve for m in again.matches]
    assert len(first.matches) > 100
