#!/bin/sh
# build.sh BUILD: builds, cached and idempotently, the nested-boot images under BUILD/images (kernel, modules, initramfs, dtb).
#
#   BUILD/images/Image                 arm64 Image of KERNEL_PKG (default: Debian's newest linux-image-*-arm64-unsigned), for L1 and L2
#   BUILD/images/modules/              its virtio modules (.ko) and their load-order, for L2
#   BUILD/images/l1-Image              L1's kernel: Image, or L1_KERNEL_PKG's Image when that is set
#   BUILD/images/l2-initramfs.cpio.gz  busybox, modules, BUILD/guest-bin/* and l2-init.sh as /init
#   BUILD/images/l1-base.cpio.gz       busybox, BUILD/lkvm, Image + l2-initramfs under /guest, l1-init.sh as /init
#   BUILD/images/virt-hetero.dtb       QEMU virt's dtb turned into a big.LITTLE host (two PMUs on PPI partitions)
#   BUILD/guest-bin/NAME               guest-images/probe/NAME.c, compiled static for arm64
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=images
. "$HERE/common.sh"

[ $# -eq 1 ] || die "usage: build.sh BUILD"
BUILD=$(abs_dir "$1")
IMG=$BUILD/images
CACHE=$IMG/cache
L2_MODULES="virtio_mmio virtio_blk virtio_console virtio_net virtio_rng"
mkdir -p "$CACHE" "$BUILD/guest-bin"

# stale OUT IN...: true when OUT is missing or older than any IN
# shellcheck disable=SC3013 # -nt: in dash, bash and busybox sh
stale() {
	out=$1
	shift
	[ -e "$out" ] || return 0
	for f in "$@"; do
		[ "$f" -nt "$out" ] && return 0
	done
	return 1
}

apt_download() { apt-get download -q=2 -o APT::Sandbox::User=root "$1:arm64"; }

# fetch_deb PKG: prints the path of PKG's arm64 .deb, downloading it into the cache the first time
fetch_deb() {
	d=$CACHE/debs/$1
	if ! ls "$d"/*.deb >/dev/null 2>&1; then
		say "downloading $1..." >&2
		mkdir -p "$d"
		(cd "$d" && { apt_download "$1" 2>/dev/null || { apt-get update -q=2 && apt_download "$1"; }; }) >&2 ||
			die "cannot download $1:arm64"
	fi
	ls "$d"/*.deb | tail -n 1
}

# newest_kernel_pkg: Debian's newest linux-image-X.Y.Z-N-arm64-unsigned package name
newest_kernel_pkg() {
	re='^linux-image-[0-9.]+-[0-9]+-arm64-unsigned$'
	pkg=$(apt-cache search --names-only "$re" | cut -d' ' -f1 | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		say "updating apt lists..." >&2
		apt-get update -q=2 >&2
		pkg=$(apt-cache search --names-only "$re" | cut -d' ' -f1 | sort -V | tail -n 1)
	fi
	[ -n "$pkg" ] || die "no arm64 kernel package found (is the arm64 architecture enabled in dpkg?)"
	echo "$pkg"
}

# add_module NAME: copies module NAME, after the modules it depends on, from the tree indexed in $modindex into $IMG/modules
add_module() {
	grep -qx "$1" "$IMG/modules/load-order" && return 0
	src=$(awk -v n="$1" '$1 == n { print $2; exit }' "$modindex")
	if [ -z "$src" ]; then
		tr - _ <"$modbuiltin" | grep -q "/$1\.ko\$" || die "kernel has no module $1"
		return 0
	fi
	case $src in
	*.xz) xz -dc "$src" ;;
	*.zst) zstd -qdc "$src" ;;
	*.gz) gzip -dc "$src" ;;
	*) cat "$src" ;;
	esac >"$IMG/modules/$1.ko"
	for dep in $(tr '\0' '\n' <"$IMG/modules/$1.ko" | sed -n 's/^depends=//p' | tr ',-' ' _'); do
		add_module "$dep"
	done
	echo "$1" >>"$IMG/modules/load-order"
}

# build_kernel PKG OUT [MODULE...]: extracts PKG's Image as OUT, and the named modules (with dependencies) into $IMG/modules
build_kernel() {
	pkg=$1
	out=$2
	shift 2
	deb=$(fetch_deb "$pkg")
	stamp=$out.pkg
	if [ -f "$out" ] && [ ! -L "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${deb##*/} $*" ]; then
		return 0
	fi
	say "extracting $pkg..."
	tree=$CACHE/kernel-tree
	rm -rf "$tree" "$out"
	dpkg-deb -x "$deb" "$tree"
	vmlinuz=$(ls "$tree"/boot/vmlinuz-* | head -n 1)
	[ "$(od -An -tx1 -j56 -N4 "$vmlinuz" | tr -d ' ')" = 41524d64 ] || die "$vmlinuz is not a raw arm64 Image"
	cp "$vmlinuz" "$out"
	if [ $# -gt 0 ]; then
		rm -rf "$IMG/modules"
		mkdir -p "$IMG/modules"
		: >"$IMG/modules/load-order"
		modindex=$CACHE/modules.index
		modbuiltin=$(find "$tree" -path '*/modules/*' -name modules.builtin | head -n 1)
		find "$tree" -path '*/modules/*' -name '*.ko*' |
			awk -F/ '{ n = $NF; sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); print n, $0 }' >"$modindex"
		for m in "$@"; do
			add_module "$m"
		done
		# shellcheck disable=SC2046
		say "modules:" $(cat "$IMG/modules/load-order")
	fi
	rm -rf "$tree"
	echo "${deb##*/} $*" >"$stamp"
}

build_kernels() {
	pkg=${KERNEL_PKG:-$(newest_kernel_pkg)}
	build_kernel "$pkg" "$IMG/Image" $L2_MODULES
	if [ -n "${L1_KERNEL_PKG:-}" ]; then
		build_kernel "$L1_KERNEL_PKG" "$IMG/l1-Image"
	else
		rm -f "$IMG/l1-Image" "$IMG/l1-Image.pkg"
		ln -s Image "$IMG/l1-Image"
	fi
}

# build_probes: compiles each guest-images/probe/NAME.c into a static arm64 BUILD/guest-bin/NAME
build_probes() {
	cc=${GUEST_CC:-aarch64-linux-gnu-gcc}
	is_arm64_host && cc=${GUEST_CC:-gcc}
	for src in "$HERE"/probe/*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		# shellcheck disable=SC2046
		if stale "$BUILD/guest-bin/$name" "$src" $(ls "$HERE"/probe/*.h 2>/dev/null); then
			say "compiling probe $name..."
			$cc -static -O2 -Wall -Wextra -Werror -o "$BUILD/guest-bin/$name" "$src"
		fi
	done
}

# build_busybox: extracts busybox-static's arm64 binary and its applet list into $CACHE/busybox
build_busybox() {
	deb=$(fetch_deb busybox-static)
	BUSYBOX=$CACHE/busybox/bin/busybox
	if stale "$CACHE/busybox/applets" "$deb"; then
		rm -rf "$CACHE/busybox"
		dpkg-deb -x "$deb" "$CACHE/busybox"
		runner=qemu-aarch64-static
		is_arm64_host && runner=
		$runner "$BUSYBOX" --list >"$CACHE/busybox/applets"
	fi
}

# new_root DIR INIT: starts an initramfs tree in DIR with busybox, its applet links and INIT as /init
new_root() {
	rm -rf "$1"
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
	cp "$BUSYBOX" "$1/bin/busybox"
	for a in $(cat "$CACHE/busybox/applets"); do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done
	ln -s bin "$1/sbin"
	cp "$2" "$1/init"
	chmod 755 "$1/init"
}

# pack_root DIR OUT: packs DIR as a gzip'ed newc cpio OUT, then removes DIR
pack_root() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$2.tmp"
	mv "$2.tmp" "$2"
	rm -rf "$1"
	say "$(basename "$2"): $(($(wc -c <"$2") / 1024)) KiB"
}

build_l2_initramfs() {
	out=$IMG/l2-initramfs.cpio.gz
	# shellcheck disable=SC2046
	stale "$out" "$HERE/l2-init.sh" "$BUSYBOX" "$IMG/modules/load-order" "$BUILD/guest-bin" $(ls -d "$BUILD"/guest-bin/* 2>/dev/null) ||
		return 0
	say "packing l2-initramfs..."
	root=$IMG/l2-root
	new_root "$root" "$HERE/l2-init.sh"
	mkdir -p "$root/lib/modules"
	cp "$IMG"/modules/* "$root/lib/modules/"
	for p in "$BUILD"/guest-bin/*; do
		[ -f "$p" ] && cp "$p" "$root/bin/"
	done
	pack_root "$root" "$out"
}

build_l1_base() {
	out=$IMG/l1-base.cpio.gz
	lkvm=$BUILD/lkvm
	[ -x "$lkvm" ] || die "$lkvm is missing: run make first"
	stale "$out" "$HERE/l1-init.sh" "$BUSYBOX" "$lkvm" "$IMG/Image" "$IMG/l2-initramfs.cpio.gz" || return 0
	say "packing l1-base (lkvm, L2 kernel and initramfs)..."
	root=$IMG/l1-root
	new_root "$root" "$HERE/l1-init.sh"
	mkdir -p "$root/guest"
	cp "$lkvm" "$root/bin/lkvm"
	cp "$IMG/Image" "$IMG/l2-initramfs.cpio.gz" "$root/guest/"
	pack_root "$root" "$out"
}

build_hetero_dtb() {
	out=$IMG/virt-hetero.dtb
	if ! command -v "$QEMU" >/dev/null; then
		say "no $QEMU: skipping virt-hetero.dtb (only the QEMU harness uses it)"
		return 0
	fi
	stale "$out" "$HERE/hetero-dtb.awk" "$HERE/common.sh" "$(command -v "$QEMU")" || return 0
	say "making virt-hetero.dtb..."
	$QEMU -M "$QEMU_MACHINE,dumpdtb=$CACHE/virt.dtb" -cpu "$QEMU_CPU" -smp "$HETERO_SMP" -m "$QEMU_MEM" \
		-nographic >/dev/null 2>&1 || die "$QEMU could not dump its dtb"
	dtc -q -I dtb -O dts -o "$CACHE/virt.dts" "$CACHE/virt.dtb"
	awk -f "$HERE/hetero-dtb.awk" "$CACHE/virt.dts" "$CACHE/virt.dts" >"$IMG/virt-hetero.dts"
	dtc -q -I dts -O dtb -o "$out" "$IMG/virt-hetero.dts"
}

build_kernels
build_probes
build_busybox
build_l2_initramfs
build_l1_base
build_hetero_dtb
say "ready in $IMG"
