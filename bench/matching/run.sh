#!/usr/bin/env bash
# Vulnerability database import and matching speed on the shipped snapshot (see README.md).
# Usage: bench/matching/run.sh [--skip-build] [--components N] [--top N]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"

exec "$PYTHON" "$HERE/run_matching.py" "$@"
