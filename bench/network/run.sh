#!/usr/bin/env bash
# `assay network check` on a national-scale inventory: generate N elements (default 100,000,
# seeded), then time the check with each shipped profile — CLI wall time, and in process the
# split between loading the inventory and checking it. Target: under 5 s per check.
# Usage: bench/network/run.sh [N] [--runs R] [--profile-load]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="$REPO/bench/work/network"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
COUNT=100000
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then COUNT="$1"; shift; fi
INVENTORY="$WORK/inventory-$COUNT.csv"

mkdir -p "$WORK"
if [ ! -s "$INVENTORY" ]; then
  printf '[network/run.sh] generating %s elements into %s\n' "$COUNT" "$INVENTORY" >&2
  "$PYTHON" "$HERE/make_inventory.py" "$COUNT" "$INVENTORY"
fi
nproc_text="$(nproc) cores, $(uname -m)"
printf 'machine: %s; python: %s\n' "$nproc_text" "$("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
"$PYTHON" "$HERE/timing.py" "$INVENTORY" "$@"
