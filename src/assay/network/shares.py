"""A vendor list's share of an operator's access network, by sites, traffic and connections.

- sites: distinct sites with at least one access element of a listed vendor, over distinct
  sites with any access element;
- traffic: the sum of `traffic_share` of the listed vendors' access elements over the sum for
  every access element;
- connections: the same with `connections`.

A metric is None (unknown) when any access element lacks its data, or when the denominator is
zero; percentages are rounded to 9 decimals so that exactly 35 % stays exactly 35 %."""

from dataclasses import dataclass

from assay.network.index import GroupKey, InventoryIndex
from assay.network.model import Element, Layer, Metric, Share

PERCENT_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class Measurement:
    """A share together with what it was measured over."""

    share: Share
    listed: tuple[str, ...]
    missing: dict[Metric, tuple[str, ...]]

    def percent(self, metric: Metric) -> float | None:
        """The share by one metric."""
        return {
            Metric.SITES: self.share.sites,
            Metric.TRAFFIC: self.share.traffic,
            Metric.CONNECTIONS: self.share.connections,
        }[metric]


def _percent(part: float, whole: float) -> float | None:
    if whole <= 0:
        return None
    return round(100.0 * part / whole, PERCENT_DECIMALS)


def _sum_share(
    access: list[Element], flags: list[bool], values: list[float | None]
) -> tuple[float | None, tuple[str, ...]]:
    missing = tuple(
        element.id for element, value in zip(access, values, strict=True) if value is None
    )
    if missing:
        return None, missing
    known = [value for value in values if value is not None]
    part = sum(value for value, flag in zip(known, flags, strict=True) if flag)
    return _percent(part, sum(known)), ()


def measure(
    index: InventoryIndex,
    key: GroupKey,
    members: list[Element],
    list_name: str | None,
    layers: tuple[Layer, ...],
) -> Measurement | None:
    """The list's share of the group's elements in `layers`; None when there are none."""
    access = [element for element in members if element.layer in layers]
    if not access:
        return None
    flags = [index.listed(element.vendor, list_name) for element in access]
    all_sites = {element.site for element in access}
    listed_sites = {element.site for element, flag in zip(access, flags, strict=True) if flag}
    traffic, no_traffic = _sum_share(access, flags, [element.traffic_share for element in access])
    connections, no_connections = _sum_share(
        access, flags, [None if e.connections is None else float(e.connections) for e in access]
    )
    share = Share(
        operator=key[0],
        network_type=key[1],
        sites=_percent(len(listed_sites), len(all_sites)),
        traffic=traffic,
        connections=connections,
        vendors=list_name,
    )
    listed = tuple(element.id for element, flag in zip(access, flags, strict=True) if flag)
    missing = {Metric.TRAFFIC: no_traffic, Metric.CONNECTIONS: no_connections}
    return Measurement(share=share, listed=listed, missing=missing)
