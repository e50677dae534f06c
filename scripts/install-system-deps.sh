#!/usr/bin/env bash
# Install the Debian packages assay's extractors and tests use. Needs root (or sudo).
set -euo pipefail
packages=(
  squashfs-tools e2fsprogs mtd-utils genext2fs p7zip-full lz4 zstd lzop lzip xz-utils bzip2
  cpio android-sdk-libsparse-utils u-boot-tools device-tree-compiler xorriso genisoimage rpm
  util-linux binutils file dpkg-dev fakeroot liblzo2-dev libarchive-dev db5.3-util
  python3 python3-venv python3-dev gcc
)
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
