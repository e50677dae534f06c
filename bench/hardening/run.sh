#!/usr/bin/env bash
# assay hardening vs checksec on real Debian 12 binaries of several architectures: time of each,
# the ratio, and per-property agreement (see README.md for the disagreements explained).
# Usage: bench/hardening/run.sh   (as root on Debian 12; downloads ~60 .deb files once)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="$REPO/bench/work/hardening"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
ASSAY="${ASSAY:-$REPO/.venv/bin/assay}"
ARCHES=(amd64 arm64 armhf mipsel ppc64el)
PACKAGES=(
  busybox dropbear-bin dnsmasq-base openssl libssl3 iptables libxtables12 libc6 curl libcurl4
  zlib1g bash iproute2 ethtool iw tcpdump libpcap0.8 lighttpd libexpat1 hostapd
)
export DEBIAN_FRONTEND=noninteractive
log() { printf '[hardening/run.sh] %s\n' "$*" >&2; }

command -v checksec >/dev/null || apt-get install -y -q checksec >/dev/null
known="$(dpkg --print-foreign-architectures) $(dpkg --print-architecture)"
added=0
for arch in "${ARCHES[@]}"; do
  if ! grep -qw "$arch" <<<"$known"; then
    log "dpkg --add-architecture $arch"
    dpkg --add-architecture "$arch"
    added=1
  fi
done
[ "$added" = 0 ] || apt-get update -q >/dev/null || log "apt-get update reported errors"

for arch in "${ARCHES[@]}"; do
  debs="$WORK/debs/$arch" corpus="$WORK/corpus/$arch"
  mkdir -p "$debs"
  if [ ! -d "$corpus" ]; then
    log "apt-get download ${#PACKAGES[@]} packages for $arch"
    (cd "$debs" && apt-get download -q "${PACKAGES[@]/%/:$arch}" >/dev/null) \
      || log "some packages are missing for $arch; going on with those downloaded"
    mkdir -p "$corpus"
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$corpus"; done
    rm -rf "$corpus/usr/share"
  fi
done

"$PYTHON" "$HERE/compare.py" --assay "$ASSAY" "$WORK/corpus" "$@"
