#!/usr/bin/env bash
# The identification accuracy benchmark, end to end: corpus, cve-bin-tool, run and score.
# Usage: bench/identify/run.sh [run_identify.py options]   (as root on Debian 12; see README.md)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="$REPO/bench/work/identify"
PYTHON="${PYTHON:-python3}"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$WORK"

log() { printf '[identify/run.sh] %s\n' "$*" >&2; }

# cve-bin-tool's scanner shells out to file(1) and strings(1); dpkg-deb unpacks the corpus.
if ! command -v file >/dev/null || ! command -v strings >/dev/null; then
  apt-get update -qq || log "apt-get update reported errors; continuing"
  apt-get install -y -qq file binutils >/dev/null
fi

if [ ! -x "$WORK/venv-cvebintool/bin/cve-bin-tool" ]; then
  log "cve-bin-tool from PyPI into its own venv"
  "$PYTHON" -m venv "$WORK/venv-cvebintool"
  "$WORK/venv-cvebintool/bin/pip" install -q "${CVEBINTOOL_SPEC:-cve-bin-tool==3.4}"
fi

ASSAY="${ASSAY:-$(command -v assay || true)}"
if [ -z "$ASSAY" ]; then
  log "assay is not installed: pip install -e $REPO"
  "$PYTHON" -m pip install -q -e "$REPO"
  ASSAY="$(command -v assay)"
fi
# probe_wheel.py reads ELF symbol tables with pyelftools (an assay dependency).
"$PYTHON" -c 'import elftools' 2>/dev/null || "$PYTHON" -m pip install -q pyelftools

start=$(date +%s)
(cd "$HERE" && "$PYTHON" build_corpus.py)
log "corpus ready in $(( $(date +%s) - start )) s"

(cd "$HERE" && "$PYTHON" run_identify.py --assay "$ASSAY" "$@")
