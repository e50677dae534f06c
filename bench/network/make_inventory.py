"""Write a national-scale inventory for benchmarks: `make_inventory.py N OUT.csv` (seeded).

Four operators, each with 5G and full-fibre access (about 85 % of the elements: gNBs with DUs
and RUs, OLTs), core functions at a handful of core sites, transport and management; the
high-risk vendor holds about 30 % of the access sites, a little of the core, and a few
elements sit at sensitive sites."""

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

OPERATORS = ("Albion Mobile", "Borealis Telecom", "Caledonia Networks", "Dyfed Fibre")
HIGH_RISK = "Huawei Technologies Co., Ltd."
VENDORS = ("Ericsson", "Nokia", "Samsung")
REGIONS = ("North", "South", "East", "West", "Scotland", "Wales", "London", "Midlands")
ACCESS_5G = ("gNB", "DU", "RU")
CORE = ("AMF", "SMF", "UPF", "UDM", "AUSF", "NRF", "NSSF", "PCF", "NEF", "SEPP", "UDR")
OTHER = (("router", "transport"), ("microwave backhaul", "transport"), ("OSS", "management"))
SENSITIVE = ("military", "nuclear", "national-security", "cni-safety")
HEADER = (
    "id", "operator", "network_type", "function", "layer", "vendor", "product", "release",
    "install_date", "site", "site_class", "region", "traffic_share", "connections",
)  # fmt: skip


def _element(rng: random.Random, n: int) -> list[object]:
    operator = OPERATORS[n % len(OPERATORS)]
    roll = rng.random()
    site_number = rng.randrange(20_000)
    if roll < 0.85:
        fibre = roll < 0.15
        network_type, layer = ("full-fibre", "access") if fibre else ("5G", "access")
        function = "OLT" if fibre else rng.choice(ACCESS_5G)
        vendor = HIGH_RISK if site_number % 10 < 3 else rng.choice(VENDORS)
        traffic = f"{rng.uniform(0.0001, 0.003):.6f}"
        connections = str(rng.randrange(0, 3000))
    else:
        network_type, traffic, connections = "5G", "", ""
        function, layer = (rng.choice(CORE), "core") if roll < 0.93 else rng.choice(OTHER)
        vendor = HIGH_RISK if rng.random() < 0.02 else rng.choice(VENDORS)
        site_number %= 40
    site_class = rng.choice(SENSITIVE) if rng.random() < 0.001 else ""
    installed = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    return [
        f"el-{n:07d}", operator, network_type, function, layer, vendor,
        f"{vendor.split()[0]} {function}", f"{rng.randrange(18, 25)}.{rng.randrange(4)}.0",
        installed.isoformat(), f"site-{site_number:05d}", site_class,
        REGIONS[site_number % len(REGIONS)], traffic, connections,
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[1].isdigit():
        sys.stderr.write("usage: make_inventory.py N OUT.csv\n")
        return 2
    count, out = int(argv[1]), Path(argv[2])
    rng = random.Random(2020)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_element(rng, n) for n in range(count))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
