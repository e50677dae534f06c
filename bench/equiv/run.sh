#!/usr/bin/env bash
# assay equiv vs diffoscope on one pair of 100+ MB trees of real ELF files from this machine:
# metadata-only changes on most files, one flipped instruction in a few (see README.md).
# Usage: bench/equiv/run.sh [--megabytes 120] [--code-changes 8] [--timeout 1800] [--rebuild]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${BENCH_WORK:-$REPO/bench/work/equiv}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
ASSAY="${ASSAY:-$REPO/.venv/bin/assay}"
MEGABYTES=120 CODE_CHANGES=8 TIMEOUT=1800 REBUILD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --megabytes) MEGABYTES="$2"; shift 2 ;;
    --code-changes) CODE_CHANGES="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
log() { printf '[equiv/run.sh] %s\n' "$*" >&2; }
mkdir -p "$WORK"

# diffoscope (GPL) is only run as a program: Debian's package when root, else PyPI in a venv.
DIFFOSCOPE="$(command -v diffoscope || true)"
if [ -z "$DIFFOSCOPE" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "apt-get install diffoscope-minimal"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      diffoscope-minimal >/dev/null
    DIFFOSCOPE="$(command -v diffoscope)"
  else
    log "pip install diffoscope into $WORK/venv-diffoscope"
    python3 -m venv "$WORK/venv-diffoscope"
    "$WORK/venv-diffoscope/bin/pip" install -q diffoscope
    DIFFOSCOPE="$WORK/venv-diffoscope/bin/diffoscope"
  fi
fi
for tool in objcopy readelf objdump; do
  command -v "$tool" >/dev/null || { log "$tool is missing (Debian: binutils)"; exit 1; }
done
log "$("$DIFFOSCOPE" --version)"

if [ "$REBUILD" = 1 ] || [ ! -f "$WORK/truth.json" ]; then
  log "building trees A and B ($MEGABYTES MiB of ELF files)"
  "$PYTHON" "$HERE/make_trees.py" --megabytes "$MEGABYTES" --code-changes "$CODE_CHANGES" "$WORK"
fi
"$PYTHON" "$HERE/compare.py" --assay "$ASSAY" --diffoscope "$DIFFOSCOPE" \
  --timeout "$TIMEOUT" "$WORK"
