#!/usr/bin/env bash
# Install the Debian packages assay's extractors and tests use. Needs root (or sudo).
set -euo pipefail
packages=(
  squashfs-tools e2fsprogs mtd-utils genext2fs p7zip-full lz4 zstd lzop lzip xz-utils bzip2
  cpio android-sdk-libsparse-utils u-boot-tools device-tree-compiler xorriso genisoimage rpm
  util-linux binutils file dpkg-dev fakeroot liblzo2-dev libarchive-dev db5.3-util
  python3 python3-venv python3-dev gcc
  # ELF hardening and unsafe-function census tests (tests/factories/elf_build.py,
  # census_build.py): cross compilers with their C libraries
  # (--no-install-recommends leaves the libc6-dev-*-cross out), checksec for bench/hardening
  gcc-i686-linux-gnu gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-mips-linux-gnu
  gcc-mipsel-linux-gnu gcc-mips64el-linux-gnuabi64 gcc-powerpc-linux-gnu gcc-powerpc64-linux-gnu
  gcc-powerpc64le-linux-gnu gcc-riscv64-linux-gnu libc6-dev-i386-cross libc6-dev-armhf-cross
  libc6-dev-arm64-cross libc6-dev-mips-cross libc6-dev-mipsel-cross libc6-dev-mips64el-cross
  libc6-dev-powerpc-cross libc6-dev-ppc64-cross libc6-dev-ppc64el-cross libc6-dev-riscv64-cross
  checksec
  # `assay equiv --diffoscope` hands a differing pair to diffoscope (GPL; called, never copied)
  diffoscope-minimal
  # the store tests run against a real PostgreSQL server (scripts/start-postgres.sh)
  postgresql
  # the HTML report test opens report.html in headless Chromium (tests/report/test_html.py)
  chromium
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
