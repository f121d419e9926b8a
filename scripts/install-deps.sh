#!/bin/sh
# Installs, idempotently and as root, everything lkvm needs to build and test (arm64 native or x86_64 cross + nested QEMU).
set -eu

arch=$(dpkg --print-architecture)
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get)" >&2
	exit 1
fi

common="make gcc pkg-config cpio gzip xz-utils zstd device-tree-compiler e2fsprogs coreutils file \
	debian-archive-keyring clang libclang-rt-dev"
if [ "$arch" = arm64 ]; then
	pkgs="$common libfdt-dev check libsubunit-dev linux-libc-dev qemu-system-arm ipxe-qemu"
else
	pkgs="$common gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm qemu-user-static \
	      ipxe-qemu libfdt-dev:arm64 check:arm64 libsubunit-dev:arm64"
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$arch" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
