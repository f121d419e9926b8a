#!/bin/sh
# build.sh BUILD: builds, cached and idempotently, the nested-boot images under BUILD/images (kernel, modules, initramfs, dtb, disk).
#
#   BUILD/images/Image                 arm64 Image of KERNEL_PKG (default: Debian's newest linux-image-*-arm64-unsigned), for L1 and L2
#   BUILD/images/modules/              its modules for L2 (L2_MODULES and their depends=) and their load-order
#   BUILD/images/l1-Image              L1's kernel: Image, or L1_KERNEL_PKG's Image when that is set
#   BUILD/images/l1-modules/           l1-Image's modules for L1 (L1_MODULES: tap networking, loop-mounting rootfs.ext4)
#   BUILD/images/l1-Image-SUITE        for each Debian SUITE of L1_SUITES (default "trixie sid"; empty: none), that suite's
#                                      newest arm64 kernel, an L1 for testing newer host KVMs (tests/boot: boot_l1
#                                      --l1-kernel SUITE); fetched with a private apt state in BUILD/images/cache/SUITE
#                                      (system apt untouched), refreshed only when that directory is removed; only with QEMU
#   BUILD/images/l2-initramfs.cpio.gz  busybox, modules, BUILD/guest-bin/*, l2-bin/*.sh as /bin/NAME and l2-init.sh as /init
#   BUILD/images/rootfs.ext4           an ext4 disk image (DISK_MIB MiB): busybox and disk-init.sh as /init, L2's root on virtio-blk
#   BUILD/images/l1-base.cpio.gz       busybox, l1-modules, BUILD/lkvm, Image + l2-initramfs + rootfs.ext4 under /guest,
#                                      l1-init.sh as /init
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
# Module lists (dependencies are added from each module's depends=). crc32c_generic is ext4's and jbd2's softdep
# (crypto-crc32c, which no depends= names), needed to mount metadata_csum file systems; no guest has modprobe.
L2_MODULES="virtio_mmio virtio_blk virtio_console virtio_net virtio_rng crc32c_generic ext4"
L1_MODULES="tun loop crc32c_generic ext4"
L1_SUITES=${L1_SUITES-trixie sid}
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_SUITE=	# the Debian suite whose private apt state apt_with uses; empty: the system's
DISK_MIB=16
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

# apt_with TOOL ARG...: runs apt-get or apt-cache (TOOL) on the system's apt state or, when APT_SUITE is set, on that
# suite's private one: its sources.list, package lists and caches under $CACHE/$APT_SUITE/apt, no dpkg status
apt_with() {
	tool=$1
	shift
	if [ -z "$APT_SUITE" ]; then
		"$tool" "$@"
		return
	fi
	a=$CACHE/$APT_SUITE/apt
	"$tool" -o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o Dir::State::status=/dev/null "$@"
}

apt_download() { apt_with apt-get download -q=2 -o APT::Sandbox::User=root "$1:arm64"; }

# apt_update: updates the package lists of the current apt state (apt_with)
apt_update() {
	what=${APT_SUITE:-system}
	say "updating the $what apt lists..." >&2
	apt_with apt-get update -q=2 -o APT::Sandbox::User=root >&2 || die "cannot update the $what apt lists"
}

# deb_dir PKG: the cache directory of PKG's .deb (per suite when APT_SUITE is set)
deb_dir() { echo "$CACHE/${APT_SUITE:+$APT_SUITE/}debs/$1"; }

# fetch_deb PKG: prints the path of PKG's arm64 .deb, downloading it into the cache the first time
fetch_deb() {
	d=$(deb_dir "$1")
	if ! ls "$d"/*.deb >/dev/null 2>&1; then
		say "downloading $1..." >&2
		mkdir -p "$d"
		(cd "$d" && { apt_download "$1" 2>/dev/null || { apt_update && apt_download "$1"; }; }) >&2 ||
			die "cannot download $1:arm64"
	fi
	find "$d" -name '*.deb' | tail -n 1
}

# Arm64 generic kernel packages, by name: Debian's own linux-image-X.Y.Z-N-arm64-unsigned (bookworm's 6.1, the default;
# not bookworm-security's linux-image-6.12.*+deb12-*), and the kernels of L1_SUITES: linux-image-X.Y.Z+debN-arm64-unsigned
# (trixie) or linux-binary-unsigned-X.Y.Z+debN-arm64 (sid's split packages; their modules are in linux-modules-*)
KERNEL_RE='^linux-image-[0-9.]+-[0-9]+-arm64-unsigned$'
SUITE_KERNEL_RE='^linux-(image-[0-9.]+\+deb[0-9]+-arm64-unsigned|binary-unsigned-[0-9.]+\+deb[0-9]+-arm64)$'

# kernel_pkgs RE: the packages of the current apt state named by the extended RE, as "VERSION-ETC NAME" lines
kernel_pkgs() {
	apt_with apt-cache search --names-only "$1" | cut -d' ' -f1 | sed -E 's/^linux-(image|binary-unsigned)-(.*)$/\2 &/'
}

# newest_kernel_pkg RE: the newest package of kernel_pkgs RE, after updating the apt lists if they have none
newest_kernel_pkg() {
	pkgs=$(kernel_pkgs "$1")
	[ -n "$pkgs" ] || { apt_update && pkgs=$(kernel_pkgs "$1"); }
	[ -n "$pkgs" ] || die "no arm64 kernel package found${APT_SUITE:+ in $APT_SUITE} (is the arm64 architecture enabled in dpkg?)"
	echo "$pkgs" | sort -V | tail -n 1 | cut -d' ' -f2
}

# add_module NAME: copies module NAME, after the modules it depends on, from the tree indexed in $modindex into $moddir
add_module() {
	grep -qx "$1" "$moddir/load-order" && return 0
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
	esac >"$moddir/$1.ko"
	for dep in $(tr '\0' '\n' <"$moddir/$1.ko" | sed -n 's/^depends=//p' | tr ',-' ' _'); do
		add_module "$dep"
	done
	echo "$1" >>"$moddir/load-order"
}

# add_modules DIR "MODULE...": (re)fills $IMG/DIR with the named modules of the tree indexed in $modindex, their
# dependencies first, and their load order in $IMG/DIR/load-order (what guest-images/load-modules.sh reads)
add_modules() {
	moddir=$IMG/$1
	rm -rf "$moddir"
	mkdir -p "$moddir"
	: >"$moddir/load-order"
	for m in $2; do
		add_module "$m"
	done
	# shellcheck disable=SC2046
	say "$1:" $(cat "$moddir/load-order")
}

# bytes_at FILE OFFSET COUNT [TYPE]: COUNT bytes of FILE at OFFSET, dumped by od -t TYPE (default x1: hex) without spaces
bytes_at() { od -An -t"${4:-x1}" -j"$2" -N"$3" "$1" | tr -d ' \n'; }

# raw_image VMLINUZ OUT: writes the kernel VMLINUZ as a raw arm64 Image OUT (what lkvm and QEMU's -kernel load
# alike): a raw Image as is; a gzip'ed one, or an EFI zboot image ("zimg" at offset 4: payload offset and size at 8
# and 12, compression at 24) with a gzip or zstd payload, decompressed
raw_image() {
	if [ "$(bytes_at "$1" 0 2)" = 1f8b ]; then
		gzip -dc "$1" >"$2.tmp"
	elif [ "$(bytes_at "$1" 4 4 c)" = zimg ]; then
		comp=$(bytes_at "$1" 24 4 c)
		case $comp in gzip) unz="gzip -dc" ;; zstd) unz="zstd -qdc" ;; *) die "$1: EFI zboot image with a $comp payload" ;; esac
		# The payload may end in a size word that gzip warns about (status 2); the magic check below judges.
		tail -c +$(($(bytes_at "$1" 8 4 u4) + 1)) "$1" | head -c "$(bytes_at "$1" 12 4 u4)" | $unz >"$2.tmp" 2>/dev/null || :
	else
		cp "$1" "$2.tmp"
	fi
	[ "$(bytes_at "$2.tmp" 56 4)" = 41524d64 ] || die "$1 is not an arm64 Image, gzip'ed or not, nor an EFI zboot image of one"
	mv "$2.tmp" "$2"
}

# build_kernel PKG OUT [DIR "MODULE..."]...: extracts PKG's Image as OUT and, for each DIR "MODULE..." pair, those
# modules into $IMG/DIR (add_modules)
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
	vmlinuz=$(find "$tree" -type f -name 'vmlinuz*' | head -n 1)
	[ -n "$vmlinuz" ] || die "$pkg has no vmlinuz"
	raw_image "$vmlinuz" "$out"
	modindex=$CACHE/modules.index
	modbuiltin=$(find "$tree" -path '*/modules/*' -name modules.builtin | head -n 1)
	find "$tree" -path '*/modules/*' -name '*.ko*' |
		awk -F/ '{ n = $NF; sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); print n, $0 }' >"$modindex"
	stamp_text="${deb##*/} $*"
	while [ $# -ge 2 ]; do
		add_modules "$1" "$2"
		shift 2
	done
	rm -rf "$tree"
	echo "$stamp_text" >"$stamp"
}

# build_kernels: Image with L2's modules and, unless L1_KERNEL_PKG names another kernel for l1-Image, L1's too
build_kernels() {
	pkg=${KERNEL_PKG:-$(newest_kernel_pkg "$KERNEL_RE")}
	if [ -n "${L1_KERNEL_PKG:-}" ]; then
		build_kernel "$pkg" "$IMG/Image" modules "$L2_MODULES"
		build_kernel "$L1_KERNEL_PKG" "$IMG/l1-Image" l1-modules "$L1_MODULES"
	else
		build_kernel "$pkg" "$IMG/Image" modules "$L2_MODULES" l1-modules "$L1_MODULES"
		rm -f "$IMG/l1-Image" "$IMG/l1-Image.pkg"
		ln -s Image "$IMG/l1-Image"
	fi
}

# build_suite_kernel SUITE: $IMG/l1-Image-SUITE from SUITE's newest arm64 kernel, all cached in $CACHE/SUITE: the private
# apt state, the .deb and, in kernel-pkg, the package chosen; only when the .deb is not there (a cold cache) are the
# lists updated and the newest package chosen again (the mirror keeps no other)
build_suite_kernel() {
	APT_SUITE=$1
	c=$CACHE/$1
	pkg=$(cat "$c/kernel-pkg" 2>/dev/null || :)
	if [ -z "$pkg" ] || ! ls "$(deb_dir "$pkg")"/*.deb >/dev/null 2>&1; then
		rm -rf "$c"
		mkdir -p "$c/apt/lists/partial" "$c/apt/cache"
		echo "deb [arch=arm64 signed-by=$KEYRING] $MIRROR $1 main" >"$c/apt/sources.list"
		apt_update
		pkg=$(newest_kernel_pkg "$SUITE_KERNEL_RE")
		say "$1's newest arm64 kernel: $pkg"
		echo "$pkg" >"$c/kernel-pkg"
	fi
	build_kernel "$pkg" "$IMG/l1-Image-$1"
	APT_SUITE=
}

# build_suite_kernels: l1-Image-SUITE for each SUITE of L1_SUITES, when QEMU is here (only its harness boots them)
build_suite_kernels() {
	[ -n "$L1_SUITES" ] || return 0
	if ! command -v "$QEMU" >/dev/null; then
		say "no $QEMU: skipping the L1 kernels of $L1_SUITES (only the QEMU harness uses them)"
		return 0
	fi
	[ -r "$KEYRING" ] || die "no $KEYRING to fetch the L1 kernels of $L1_SUITES: install debian-archive-keyring, or set L1_SUITES="
	for s in $L1_SUITES; do
		build_suite_kernel "$s"
	done
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
	while read -r a; do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done <"$CACHE/busybox/applets"
	ln -s bin "$1/sbin"
	cp "$2" "$1/init"
	chmod 755 "$1/init"
}

# add_guest_modules DIR MODDIR: puts $IMG/MODDIR's modules in DIR/lib/modules and load-modules.sh as DIR/bin/load-modules
add_guest_modules() {
	mkdir -p "$1/lib/modules"
	cp "$IMG/$2"/* "$1/lib/modules/"
	cp "$HERE/load-modules.sh" "$1/bin/load-modules"
	chmod 755 "$1/bin/load-modules"
}

# pack_root DIR OUT: packs DIR as a gzip'ed newc cpio OUT, then removes DIR
pack_root() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$2.tmp"
	mv "$2.tmp" "$2"
	rm -rf "$1"
	say "$(basename "$2"): $(($(wc -c <"$2") / 1024)) KiB"
}

# build_l2_initramfs: L2's /init, modules, probes and the l2-bin/NAME.sh scripts (the programs of l2.run= words) as /bin/NAME
build_l2_initramfs() {
	out=$IMG/l2-initramfs.cpio.gz
	# shellcheck disable=SC2046
	stale "$out" "$HERE/l2-init.sh" "$HERE/load-modules.sh" "$BUSYBOX" "$IMG/modules/load-order" "$HERE/l2-bin" \
		"$BUILD/guest-bin" $(ls -d "$HERE"/l2-bin/* "$BUILD"/guest-bin/* 2>/dev/null) ||
		return 0
	say "packing l2-initramfs..."
	root=$IMG/l2-root
	new_root "$root" "$HERE/l2-init.sh"
	add_guest_modules "$root" modules
	for p in "$BUILD"/guest-bin/* "$HERE"/l2-bin/*.sh; do
		[ -f "$p" ] || continue
		name=$(basename "$p" .sh)
		[ ! -e "$root/bin/$name" ] || die "$p: /bin/$name already exists in L2 (a busybox applet?)"
		cp "$p" "$root/bin/$name"
		chmod 755 "$root/bin/$name"
	done
	pack_root "$root" "$out"
}

# build_disk_image: rootfs.ext4, a DISK_MIB MiB ext4 file system holding a busybox root with disk-init.sh as /init
# (L2 switches to it with l2.run=diskroot; its free space takes what that /init writes)
build_disk_image() {
	out=$IMG/rootfs.ext4
	stale "$out" "$HERE/disk-init.sh" "$BUSYBOX" || return 0
	say "making rootfs.ext4 ($DISK_MIB MiB ext4)..."
	root=$IMG/disk-root
	new_root "$root" "$HERE/disk-init.sh"
	mkdir -p "$root/mnt"
	mke2fs=$(command -v mke2fs || echo /sbin/mke2fs)
	rm -f "$out.tmp"
	"$mke2fs" -q -F -t ext4 -L lkvm-root -E root_owner=0:0 -d "$root" "$out.tmp" "${DISK_MIB}M" >/dev/null ||
		die "mke2fs could not make $out"
	mv "$out.tmp" "$out"
	rm -rf "$root"
}

# build_l1_base: L1's /init and modules, lkvm, and under /guest what lkvm boots: the L2 kernel, initramfs and disk image
build_l1_base() {
	out=$IMG/l1-base.cpio.gz
	lkvm=$BUILD/lkvm
	[ -x "$lkvm" ] || die "$lkvm is missing: run make first"
	stale "$out" "$HERE/l1-init.sh" "$HERE/load-modules.sh" "$BUSYBOX" "$IMG/l1-modules/load-order" "$lkvm" "$IMG/Image" \
		"$IMG/l2-initramfs.cpio.gz" "$IMG/rootfs.ext4" || return 0
	say "packing l1-base (lkvm, L2 kernel, initramfs and disk image)..."
	root=$IMG/l1-root
	new_root "$root" "$HERE/l1-init.sh"
	add_guest_modules "$root" l1-modules
	mkdir -p "$root/guest"
	cp "$lkvm" "$root/bin/lkvm"
	cp "$IMG/Image" "$IMG/l2-initramfs.cpio.gz" "$IMG/rootfs.ext4" "$root/guest/"
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
build_suite_kernels
build_probes
build_busybox
build_l2_initramfs
build_disk_image
build_l1_base
build_hetero_dtb
say "ready in $IMG"
