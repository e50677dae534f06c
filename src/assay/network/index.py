"""An inventory indexed once for checking: elements by operator and network type, and each
vendor name's membership of each vendor list computed once."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from assay.network.errors import NetworkInputError
from assay.network.model import Element, Layer, Profile, Rule
from assay.network.vendors import vendor_matches

GroupKey = tuple[str, str]


@dataclass(slots=True)
class InventoryIndex:
    """Elements grouped by (operator, network type), in file order, with a vendor-list cache."""

    profile: Profile
    groups: dict[GroupKey, list[Element]]
    _membership: dict[tuple[str, str], bool] = field(default_factory=dict)

    @classmethod
    def build(cls, elements: Iterable[Element], profile: Profile) -> "InventoryIndex":
        """Group the elements once."""
        groups: dict[GroupKey, list[Element]] = defaultdict(list)
        for element in elements:
            groups[(element.operator, element.network_type)].append(element)
        return cls(profile=profile, groups=dict(groups))

    def listed(self, vendor: str, list_name: str | None) -> bool:
        """Whether the vendor is on the profile's named list (None: every vendor is)."""
        if list_name is None:
            return True
        key = (vendor, list_name)
        known = self._membership.get(key)
        if known is None:
            vendors = self.profile.vendor_lists.get(list_name)
            if vendors is None:
                raise NetworkInputError(
                    f"{self.profile.origin or self.profile.id}: unknown vendor list '{list_name}'"
                )
            known = vendor_matches(vendor, vendors)
            self._membership[key] = known
        return known

    def groups_for(self, rule: Rule) -> list[tuple[GroupKey, list[Element]]]:
        """The (operator, network type) groups the rule applies to, sorted."""
        return [
            (key, members) for key, members in sorted(self.groups.items()) if covers(rule, key[1])
        ]

    def operators(self) -> list[str]:
        """Every operator in the inventory, sorted."""
        return sorted({operator for operator, _ in self.groups})


def covers(rule: Rule, network_type: str) -> bool:
    """Whether the rule applies to a network type (none named: every type), ignoring case."""
    folded = network_type.casefold()
    return not rule.network_types or any(folded == name.casefold() for name in rule.network_types)


def scope_of(rule: Rule) -> Callable[[Element], bool]:
    """A test for the elements whose function or layer the rule names (neither named: all)."""
    functions = frozenset(name.casefold() for name in rule.functions)
    layers = frozenset(rule.layers)
    if not functions and not layers:
        return lambda element: True
    return lambda element: element.layer in layers or element.function.casefold() in functions


def access_layers(rule: Rule | None) -> tuple[Layer, ...]:
    """The layers a share is measured over: the rule's, or the access layer."""
    if rule is not None and rule.layers:
        return rule.layers
    return (Layer.ACCESS,)
