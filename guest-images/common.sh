# common.sh: settings and helpers shared by guest-images/build.sh and tests/boot/ (the QEMU machine that runs L1, progress output).
# Sourced; the caller sets PROG (the prefix of its progress lines).

QEMU=qemu-system-aarch64
QEMU_MACHINE=virt,virtualization=on,gic-version=3
QEMU_CPU=max,pauth-impdef=on
QEMU_MEM=2048
HETERO_SMP=4	# virt-hetero.dtb describes exactly this many CPUs: 0-1 little, 2-3 big

say() { echo "$PROG: $*"; }
die() { echo "$PROG: error: $*" >&2; exit 1; }

# abs_dir DIR: creates DIR if needed and prints its absolute path
abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

# is_arm64_host: true when binaries for the guest run natively here
is_arm64_host() { [ "$(uname -m)" = aarch64 ]; }
