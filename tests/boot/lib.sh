# lib.sh: helpers of the nested boot tests: boot an L1 guest running a test script (or run it natively), assert on the log.
#
# Sourced after TOP (the repository) and PROG are set. A test sets TEST, calls boot_l1 (or boot_qemu) and then
# expect/expect_no/expect_eq, which check the test's output; test_result prints PASS/FAIL/SKIP and returns 0/1/77.
# A test that boots more than once calls test_part before each boot.
# Environment: BOOT_MODE=qemu|native (default: native on arm64 with a usable /dev/kvm), BOOT_TIMEOUT (seconds).

. "$TOP/guest-images/common.sh"

# boot_init BUILD: checks the images and sets BUILD, IMG and MODE
boot_init() {
	[ -n "${1:-}" ] || die "usage: $0 BUILD"
	BUILD=$(abs_dir "$1")
	IMG=$BUILD/images
	[ -f "$IMG/l1-base.cpio.gz" ] || die "no images in $IMG: run make images"
	MODE=${BOOT_MODE:-}
	if [ -z "$MODE" ]; then
		MODE=qemu
		is_arm64_host && [ -r /dev/kvm ] && [ -w /dev/kvm ] && MODE=native
	fi
	mkdir -p "$BUILD/logs"
}

# test_begin NAME: resets the per-test state
test_begin() {
	TEST=$1
	WORK=$BUILD/boot/$TEST
	LOG=$BUILD/logs/$TEST.log
	OUT=$WORK/out
	REASON=
	FAIL_LOG=
	PART=
	SKIPPED=
	rm -rf "$WORK"
	mkdir -p "$WORK"
	: >"$LOG"
	: >"$OUT"
}

# test_part NAME: starts part NAME of a test that boots more than once: the next boot's log is BUILD/logs/TEST-NAME.log
# (instead of TEST.log), expect & co. check its output, and failure reasons begin with "NAME: "
test_part() {
	PART=$1
	rm -f "$BUILD/logs/$TEST.log"
	LOG=$BUILD/logs/$TEST-$1.log
	OUT=$WORK/out-$1
	: >"$LOG"
	: >"$OUT"
}

# fail REASON: marks the test failed (the first reason, and the log then current, are the ones reported)
fail() {
	[ -z "$REASON" ] || return 0
	REASON="${PART:+$PART: }$*"
	FAIL_LOG=$LOG
}

# skip REASON: marks the test skipped; the caller returns
skip() { SKIPPED=$*; }

# require_qemu: skips the test unless it runs under QEMU (returns non-zero then)
require_qemu() {
	[ "$MODE" = qemu ] && return 0
	skip "needs the QEMU harness (BOOT_MODE=$MODE)"
	return 1
}

# require_root: skips the test unless its script runs as root (always in L1; natively, when the harness runs as root):
# loop mounts, tap devices (returns non-zero then)
require_root() {
	[ "$MODE" = qemu ] || [ "$(id -u)" = 0 ] && return 0
	skip "needs root when run natively (loop mounts, tap devices)"
	return 1
}

# require_l1_kernels SUITE...: skips the test unless BUILD/images/l1-Image-SUITE exists for each SUITE (returns non-zero
# then); they exist only under QEMU: natively, L1 is this host and its kernel
require_l1_kernels() {
	require_qemu || return 1
	for k in "$@"; do
		[ -f "$IMG/l1-Image-$k" ] && continue
		skip "no $IMG/l1-Image-$k: make images fetches it unless L1_SUITES leaves $k out"
		return 1
	done
}

# run_logged TIMEOUT LIVE CMD...: runs CMD under a timeout, its output (CRs dropped) into $LOG, shown too when LIVE is 1
run_logged() {
	tmo=$1
	live=$2
	shift 2
	{
		timeout -k 10 "$tmo" "$@" </dev/null 2>&1
		echo $? >"$WORK/rc"
	} | tr -d '\r' | if [ "$live" = 1 ]; then tee "$LOG"; else cat >"$LOG"; fi
	rc=$(cat "$WORK/rc")
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "timed out after ${tmo}s (last line: $(grep -a . "$LOG" | tail -n 1))"
	return 0
}

# boot_qemu [--smp N] [--hetero] [--l1-kernel SUITE] [--qemu "ARGS"] [--append "ARGS"] [--timeout S] [--live] -- INITRD:
# boots $IMG/l1-Image (--l1-kernel: l1-Image-SUITE, see require_l1_kernels) with INITRD under QEMU (--hetero: on the
# big.LITTLE dtb); output in $LOG and $OUT
boot_qemu() {
	smp=2 dtb='' kernel=$IMG/l1-Image qargs='' append='' tmo=${BOOT_TIMEOUT:-300} live=0
	while [ $# -gt 0 ]; do
		case $1 in
		--smp) smp=$2 && shift ;;
		--hetero) dtb=$IMG/virt-hetero.dtb smp=$HETERO_SMP ;;
		--l1-kernel) kernel=$IMG/l1-Image-$2 && shift ;;
		--qemu) qargs=$2 && shift ;;
		--append) append=$2 && shift ;;
		--timeout) tmo=$2 && shift ;;
		--live) live=1 ;;
		--) shift && break ;;
		*) die "boot_qemu: unknown option $1" ;;
		esac
		shift
	done
	initrd=$1
	# shellcheck disable=SC2086
	set -- -M "$QEMU_MACHINE" -cpu "$QEMU_CPU" -smp "$smp" -m "$QEMU_MEM" -nographic -no-reboot \
		-kernel "$kernel" -initrd "$initrd" -append "console=ttyAMA0 panic=-1 $append" ${dtb:+-dtb "$dtb"} $qargs
	echo "$QEMU $*" >"$WORK/cmd"
	run_logged "$tmo" "$live" "$QEMU" "$@"
	cp "$LOG" "$OUT"
}

# boot_l1 [boot_qemu options]: runs the script on stdin, after l1-prelude.sh's helpers, as /test.sh in an L1 guest
# (natively on arm64 with KVM);
# $OUT is then the test's part of the log, from L1's first "L1: " marker on
boot_l1() {
	cat "$TOP/tests/boot/l1-prelude.sh" - >"$WORK/test.sh"
	if [ "$MODE" = native ]; then
		case " $* " in
		*" --hetero "*)
			skip "the big.LITTLE host exists only under QEMU"
			return 1
			;;
		*" --l1-kernel "*)
			skip "natively L1 is this host, its kernel $(uname -r)"
			return 1
			;;
		esac
		boot_native "$@"
	else
		mkdir -p "$WORK/root"
		cp "$WORK/test.sh" "$WORK/root/test.sh"
		(cd "$WORK/root" && echo test.sh | cpio -o -H newc -R 0:0 --quiet) | gzip -n >"$WORK/test.cpio.gz"
		cat "$IMG/l1-base.cpio.gz" "$WORK/test.cpio.gz" >"$WORK/initrd"
		boot_qemu "$@" -- "$WORK/initrd"
	fi
	sed -n '/^L1: /,$p' "$LOG" >"$OUT"
	[ -n "$REASON" ] && return 0
	grep -aq '^L1: test start$' "$LOG" || fail "L1 never reached its init's test start"
	grep -aq '^L1: no /dev/kvm$' "$LOG" && fail "L1 has no /dev/kvm"
	grep -aq '^L1: test exit=' "$LOG" || fail "L1 did not finish /test.sh"
}

# boot_native [boot_qemu options]: runs $WORK/test.sh on this arm64 host, with the same environment and markers as in L1
boot_native() {
	tmo=${BOOT_TIMEOUT:-300} live=0
	while [ $# -gt 0 ]; do
		case $1 in
		--timeout) tmo=$2 && shift ;;
		--live) live=1 ;;
		--smp | --qemu | --append) shift ;;
		esac
		shift
	done
	cd "$WORK" || return
	# shellcheck disable=SC2016
	run_logged "$tmo" "$live" env LKVM="$BUILD/lkvm" L2_KERNEL="$IMG/Image" L2_INITRD="$IMG/l2-initramfs.cpio.gz" \
		L2_DISK="$IMG/rootfs.ext4" sh -c 'echo "L1: kvm ok"; echo "L1: test start"; sh ./test.sh; echo "L1: test exit=$?"'
	cd "$TOP" || return
}

# expect REGEX [WHAT]: the test's output has a line matching the extended REGEX
expect() { grep -aEq -- "$1" "$OUT" || fail "missing ${2:-"'$1'"}"; }

# expect_no REGEX [WHAT]: no line of the test's output matches REGEX
expect_no() {
	line=$(grep -aE -m 1 -- "$1" "$OUT") || return 0
	fail "unexpected ${2:-"'$1'"}: $line"
}

# value REGEX: prints the first capture group \1 of REGEX's first match in the test's output
value() {
	d=$(printf '\001')
	sed -n -E "s$d.*$1.*$d\\1${d}p" "$OUT" | head -n 1
}

# count TAG REGEX: the number of lines of the test's output matching "^TAG\| REGEX"
count() { grep -acE -- "^$1\| $2" "$OUT"; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() { [ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"; }

# test_result: reports the test; returns 0 (pass), 77 (skip) or 1 (fail)
test_result() {
	if [ -n "$SKIPPED" ]; then
		echo "SKIP: boot/$TEST: $SKIPPED"
		return 77
	fi
	if [ -z "$REASON" ]; then
		echo "PASS: boot/$TEST"
		return 0
	fi
	echo "FAIL: boot/$TEST: $REASON"
	echo "--- last 30 lines of $FAIL_LOG:"
	tail -n 30 "$FAIL_LOG" | sed 's/^/| /'
	echo "---"
	return 1
}
