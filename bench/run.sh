#!/usr/bin/env bash
# The unpacking benchmark, end to end: install the peer tools, build the image, run and score.
# Usage: bench/run.sh [run_unpack.py options]   (as root on Debian 12; see bench/README.md)
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$BENCH")"
WORK="$BENCH/work"
PYTHON="${PYTHON:-python3}"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$WORK"

log() { printf '[run.sh] %s\n' "$*" >&2; }

# A mirror in sync can fail one index; the downloads that follow are checked one by one.
apt-get update -qq || log "apt-get update reported errors; continuing"

log "Debian tools: binwalk 2 (with its recommended extractors), GNU time, image builders"
apt-get install -y -qq binwalk time squashfs-tools mtd-utils e2fsprogs u-boot-tools cpio >/dev/null

log "unblob's external extractors that Debian has (sasquatch is in no registry here)"
apt-get install -y -qq p7zip-full erofs-utils lz4 lziprecover lzop partclone unar zstd \
  android-sdk-libsparse-utils >/dev/null

if [ ! -x "$WORK/venv-unblob/bin/unblob" ]; then
  log "unblob from PyPI into its own venv"
  "$PYTHON" -m venv "$WORK/venv-unblob"
  "$WORK/venv-unblob/bin/pip" install -q "${UNBLOB_SPEC:-unblob}"
fi
PATH="$WORK/venv-unblob/bin:$PATH" "$WORK/venv-unblob/bin/unblob" --show-external-dependencies \
  || true

ASSAY="${ASSAY:-$(command -v assay || true)}"
if [ -z "$ASSAY" ]; then
  log "assay is not installed: pip install -e $REPO"
  "$PYTHON" -m pip install -q -e "$REPO"
  ASSAY="$(command -v assay)"
fi
"$PYTHON" -c 'import psutil' 2>/dev/null || "$PYTHON" -m pip install -q psutil

start=$(date +%s)
"$PYTHON" "$BENCH/build_firmware.py"
log "image ready in $(( $(date +%s) - start )) s"

"$PYTHON" "$BENCH/run_unpack.py" --assay "$ASSAY" \
  --tools "${BENCH_TOOLS:-assay,unblob,binwalk,unblob+shim}" --repeat "${BENCH_REPEAT:-3}" "$@"
