"""Network inventories built by code: two operators' 5G and full-fibre networks, seeded, with the
high-risk vendor's share of the access network set exactly by sites, traffic and connections."""

import csv
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

Row = dict[str, object]

OPERATORS = ("Albion Mobile", "Borealis Telecom")
HIGH_RISK_VENDOR = "Huawei Technologies Co., Ltd."
TRUSTED_VENDORS = ("Ericsson", "Nokia")
REGIONS = ("North", "South", "East", "West")
CORE_FUNCTIONS = ("AMF", "SMF", "UPF", "UDM", "AUSF", "NRF", "NSSF", "PCF", "NEF", "SEPP")
MANAGEMENT_FUNCTIONS = ("OSS", "EMS", "AAA", "NFVI", "MANO")
CONNECTIONS_PER_OPERATOR = 1_000_000
FIELD_ORDER = (
    "id", "operator", "network_type", "function", "layer", "vendor", "product", "release",
    "install_date", "site", "site_class", "region", "traffic_share", "connections",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccessMix:
    """The high-risk vendor's share, in percent, of an operator's access network of one type."""

    sites: float = 20.0
    traffic: float = 20.0
    connections: float = 20.0


def _slug(operator: str) -> str:
    return operator.split()[0].lower()


def _split(total: float, parts: int, decimals: int) -> list[float]:
    """`parts` values summing to `total` exactly (to `decimals`), the remainder on the last."""
    if parts == 0:
        if total:
            raise ValueError(f"cannot give {total} to no elements")
        return []
    each = round(total / parts, decimals)
    values = [each] * (parts - 1)
    return [*values, round(total - sum(values), decimals)]


def _high_risk_count(sites: int, percent: float) -> int:
    count = sites * percent / 100
    if abs(count - round(count)) > 1e-9:
        raise ValueError(f"{percent} % of {sites} sites is not a whole number of sites")
    return round(count)


def _access_rows(
    operator: str, network_type: str, function: str, sites: int, mix: AccessMix, rng: random.Random
) -> list[Row]:
    high_risk = _high_risk_count(sites, mix.sites)
    flags = [True] * high_risk + [False] * (sites - high_risk)
    rng.shuffle(flags)
    traffic = iter(
        _split(mix.traffic, high_risk, 6) + _split(100 - mix.traffic, sites - high_risk, 6)
    )
    total = CONNECTIONS_PER_OPERATOR
    listed = round(total * mix.connections / 100)
    connections = iter(
        [int(c) for c in _split(listed, high_risk, 0)]
        + [int(c) for c in _split(total - listed, sites - high_risk, 0)]
    )
    ordered = sorted(range(sites), key=lambda i: not flags[i])
    rows: dict[int, Row] = {}
    for index in ordered:
        vendor = HIGH_RISK_VENDOR if flags[index] else TRUSTED_VENDORS[index % 2]
        rows[index] = {
            "id": f"{_slug(operator)}-{function.lower()}-{index + 1:04d}",
            "operator": operator,
            "network_type": network_type,
            "function": function,
            "vendor": vendor,
            "product": f"{vendor.split()[0]} {function} software",
            "release": "3.2.1" if flags[index] else "22.4",
            "site": f"{_slug(operator)}-{network_type.lower()}-site-{index + 1:04d}",
            "region": REGIONS[index % len(REGIONS)],
            "traffic_share": next(traffic),
            "connections": next(connections),
        }
    return [rows[index] for index in range(sites)]


def _fixed_rows(operator: str, network_type: str, layer_functions: Sequence[str]) -> list[Row]:
    """Core, transport and management elements: two of each, one per vendor, two core sites."""
    rows: list[Row] = []
    for function in layer_functions:
        for n, vendor in enumerate(TRUSTED_VENDORS, start=1):
            rows.append(
                {
                    "id": f"{_slug(operator)}-{function.lower()}-{n}",
                    "operator": operator,
                    "network_type": network_type,
                    "function": function,
                    "vendor": vendor,
                    "product": f"{vendor} {function}",
                    "release": f"{20 + n}.1",
                    "site": f"{_slug(operator)}-core-{n}",
                    "region": REGIONS[n - 1],
                }
            )
    return rows


def _transport_rows(operator: str, network_type: str) -> list[Row]:
    return [
        {
            "id": f"{_slug(operator)}-router-{region.lower()}",
            "operator": operator,
            "network_type": network_type,
            "function": "router",
            "vendor": TRUSTED_VENDORS[i % 2],
            "site": f"{_slug(operator)}-pop-{region.lower()}",
            "region": region,
        }
        for i, region in enumerate(REGIONS)
    ]


def _dated(rows: list[Row], dates: tuple[date, date], rng: random.Random) -> None:
    span = (dates[1] - dates[0]).days
    for row in rows:
        row["install_date"] = dates[0] + timedelta(days=rng.randint(0, span))


def _mark_sensitive(rows: list[Row], site_class: str, vendor: str) -> None:
    """Put the first access element of `vendor` at a site of `site_class`; raise if none."""
    for row in rows:
        if row["vendor"] == vendor and row["function"] == "gNB":
            row["site_class"] = site_class
            return
    raise ValueError(f"no gNB of {vendor} to place at a {site_class} site")


def _mix_for(mix: AccessMix | Mapping[str, AccessMix], operator: str) -> AccessMix:
    return mix if isinstance(mix, AccessMix) else mix.get(operator, AccessMix())


def make_inventory(
    path: Path | None = None,
    *,
    seed: int = 8,
    operators: Sequence[str] = OPERATORS,
    access_sites: int = 100,
    fibre_sites: int = 20,
    access: AccessMix | Mapping[str, AccessMix] = AccessMix(),
    fibre_access: AccessMix | Mapping[str, AccessMix] = AccessMix(10.0, 10.0, 10.0),
    sensitive_site_class: str | None = None,
    sensitive_vendor: str = HIGH_RISK_VENDOR,
    upf_vendor: str | None = None,
    install_dates: tuple[date, date] = (date(2019, 1, 1), date(2022, 12, 31)),
    overrides: Mapping[str, Mapping[str, object]] | None = None,
) -> list[Row]:
    """The rows of a generated inventory (written to `path` as YAML or CSV by its suffix when
    given). Every operator has `access_sites` gNB sites and `fibre_sites` OLT sites, the
    high-risk vendor's share of each exactly `access` / `fibre_access` (a mix, or one per
    operator); a trusted gNB always sits at a military site. `sensitive_site_class` moves the
    first operator's first gNB of `sensitive_vendor` to a site of that class; `upf_vendor`
    sets the vendor of the first operator's first UPF; `overrides` sets fields by element id."""
    rng = random.Random(seed)
    rows: list[Row] = []
    for operator in operators:
        five_g = _access_rows(operator, "5G", "gNB", access_sites, _mix_for(access, operator), rng)
        fibre = _access_rows(
            operator, "full-fibre", "OLT", fibre_sites, _mix_for(fibre_access, operator), rng
        )
        rows += five_g + fibre
        rows += _fixed_rows(operator, "5G", CORE_FUNCTIONS + MANAGEMENT_FUNCTIONS)
        rows += _transport_rows(operator, "5G")
    _dated(rows, install_dates, rng)
    trusted_gnb = next(
        r for r in rows if r["function"] == "gNB" and r["vendor"] != HIGH_RISK_VENDOR
    )
    trusted_gnb["site_class"] = "military"
    if sensitive_site_class is not None:
        _mark_sensitive(rows, sensitive_site_class, sensitive_vendor)
    if upf_vendor is not None:
        next(r for r in rows if r["function"] == "UPF")["vendor"] = upf_vendor
    by_id = {row["id"]: row for row in rows}
    for element_id, fields in (overrides or {}).items():
        by_id[element_id].update(fields)
    if path is not None:
        write_rows(path, rows)
    return rows


def write_rows(
    path: Path, rows: Sequence[Mapping[str, object]], fmt: str | None = None, **defaults: object
) -> Path:
    """Write hand-made or generated rows as an inventory: `fmt` 'csv' or 'yaml' (default: by the
    suffix). YAML takes top-level `defaults` (operator, network_type); CSV columns follow
    FIELD_ORDER, then any other keys in order of appearance; None is an empty cell."""
    fmt = fmt or ("yaml" if path.suffix in (".yaml", ".yml") else "csv")
    if fmt == "yaml":
        elements = [{k: v for k, v in row.items() if v is not None} for row in rows]
        path.write_text(yaml.safe_dump({**defaults, "elements": elements}, sort_keys=False))
        return path
    keys = dict.fromkeys(key for row in rows for key in row)
    columns = [f for f in FIELD_ORDER if f in keys] + [k for k in keys if k not in FIELD_ORDER]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path
