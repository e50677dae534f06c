"""Attribute swept branch targets to function names: a named function, an imported function's
canonical PLT address, or a PLT stub whose slot a relocation names. Calls through GOT slots are
named by the slot. Stubs that cannot be resolved are counted, so the census can say it is a
lower bound."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import capstone as cs

from assay.checks.census.names import Names
from assay.checks.census.stubs import CodeMap, Step, StubOutcome, StubState, evaluate
from assay.checks.census.sweep import Key, SweepResult

StubSetup = Callable[[int | None], tuple[Step, StubState]]


@dataclass(slots=True)
class Attribution:
    """Call sites per function name, and how many sites went into unresolvable stubs."""

    sites: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    unresolved_sites: int = 0


class Resolver:
    """Names call targets, evaluating each distinct (target, context) stub once."""

    def __init__(
        self,
        names: Names,
        code: CodeMap,
        handles: tuple[cs.Cs, ...],
        setup: StubSetup,
        stub_zones: list[tuple[int, int]] | None,
        bss_plt: bool = False,
    ) -> None:
        self.names = names
        self.code = code
        self.handles = handles
        self.setup = setup
        self.stub_zones = stub_zones
        self.bss_plt = bss_plt
        self.stubs: dict[Key, StubOutcome] = {}
        self.stub_targets: set[int] = set()

    def in_stub_zone(self, target: int) -> bool:
        """Whether a target lies where stubs live (PLT sections; everywhere without sections)."""
        if self.stub_zones is None:
            return True
        return any(start <= target < end for start, end in self.stub_zones)

    def name(self, key: Key, is_call: bool) -> tuple[str | None, bool]:
        """(name, unresolved): the function a branch to `key` reaches, and whether it went into
        a stub whose slot has no name. Jumps are only followed into stubs already reached by a
        call or lying in a stub zone: a tail call, not a branch inside a function."""
        target = key[0]
        found = self.names.functions.get(target) or self.names.canonical.get(target)
        if found is not None:
            return found, False
        if self.bss_plt and target in self.names.slots:
            return self.names.slots[target], False
        if is_call:
            eligible = self.in_stub_zone(target)
        else:
            zoned = self.stub_zones is not None and self.in_stub_zone(target)
            eligible = zoned or target in self.stub_targets
        if not eligible:
            return None, False
        outcome = self._stub(key)
        if not outcome.is_stub:
            return None, False
        self.stub_targets.add(target)
        name = self.names.slots.get(outcome.slot) if outcome.slot is not None else None
        return name, name is None

    def _stub(self, key: Key) -> StubOutcome:
        if key not in self.stubs:
            step, state = self.setup(key[1])
            self.stubs[key] = evaluate(self.code, self.handles, step, key[0], state)
        return self.stubs[key]


def attribute(sweep: SweepResult, resolver: Resolver, listed: Callable[[str], bool]) -> Attribution:
    """Call sites of listed functions, from direct calls, tail calls and GOT-slot calls."""
    result = Attribution()
    for table, is_call in ((sweep.calls, True), (sweep.jumps, False)):
        for key, sites in table.items():
            name, unresolved = resolver.name(key, is_call)
            if unresolved:
                result.unresolved_sites += len(sites)
            elif name is not None and listed(name):
                result.sites[name].extend(sites)
    for slot, sites in sweep.slot_calls.items():
        name = resolver.names.slots.get(slot)
        if name is not None and listed(name):
            result.sites[name].extend(sites)
    for sites in result.sites.values():
        sites.sort()
    return result
