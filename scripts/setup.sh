#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, from Debian's packages, whatever the build and the tests need and
# is missing.  Safe to run again: it does nothing when all is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

# The kernel headers come through one metapackage per kernel line
# (scripts/kernel-release.sh): linux-headers-amd64 (6.1), linux-headers-6.12-amd64.
mapfile -t kernel_headers < <(scripts/kernel-release.sh --packages)

packages=(
  build-essential pkg-config meson ninja-build python3 perl
  libcmocka-dev valgrind sparse
  "${kernel_headers[@]}" kmod
  qemu-system-x86 busybox-static cpio gzip xz-utils e2fsprogs
  libseccomp-dev libvulkan-dev mesa-vulkan-drivers vulkan-tools glslang-tools spirv-tools
  libpng-dev zlib1g-dev
  vulkan-validationlayers libvkfft-dev glslang-dev libfftw3-dev g++
  clang libclang-rt-14-dev
  dpkg-dev debhelper dh-dkms mmdebstrap
  libvirt-daemon-system libvirt-clients
  flex bison bc libelf-dev libssl-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or install them) and try again" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# linux-headers-6.12.* depend on their linux-image, which is installed too
# but never booted here (the VM tests boot a copy unpacked into build/):
# INITRD=No makes its kernel hook skip update-initramfs (minutes of work).
export INITRD=No
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
