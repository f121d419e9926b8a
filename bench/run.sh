#!/bin/sh
# run.sh BUILD: the benchmarks (make bench): one L1 boot runs every timed lkvm run; prints a table, writes BUILD/bench/results.json.
#
# Under QEMU (any non-arm64 host, or BOOT_MODE=qemu) L1 boots once with bench/l1-bench.sh as its test script and
# bench's L1 helpers (bench/l1/*.c, pmu-bench) added to its initramfs; natively (arm64 with /dev/kvm) the script runs
# here. Every figure is the median of BENCH_RUNS (default 5, at least 3) runs, with min and max. Fails only when a
# run breaks (lkvm exits non-zero, a marker never comes, L1 does not finish), never on a number.
# Files: BUILD/bench/results.json, BUILD/bench/table.txt; the whole log in BUILD/logs/bench.log.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
PROG=bench
. "$TOP/tests/boot/lib.sh"
boot_init "${1:-}"
RUNS=${BENCH_RUNS:-5}
[ "$RUNS" -ge 3 ] 2>/dev/null || die "BENCH_RUNS must be a number, at least 3"
OUTDIR=$BUILD/bench
mkdir -p "$OUTDIR/bin"
test_begin bench

# build_helpers: compiles bench/l1/*.c (static arm64, as build.sh does the probes) and copies pmu-bench into OUTDIR/bin
build_helpers() {
	cc=${GUEST_CC:-aarch64-linux-gnu-gcc}
	is_arm64_host && cc=${GUEST_CC:-gcc}
	for src in "$TOP"/bench/l1/*.c; do
		name=$(basename "$src" .c)
		$cc -static -O2 -Wall -Wextra -Werror -o "$OUTDIR/bin/$name" "$src"
	done
	[ -x "$BUILD/guest-bin/pmu-bench" ] || die "no $BUILD/guest-bin/pmu-bench: run make images"
	cp "$BUILD/guest-bin/pmu-bench" "$OUTDIR/bin/"
}

# overlay_images: IMG becomes OUTDIR/images, the same images but an l1-base.cpio.gz with OUTDIR/bin/* in L1's /bin
overlay_images() {
	ov=$OUTDIR/images
	rm -rf "$ov" "$OUTDIR/l1-root"
	mkdir -p "$ov" "$OUTDIR/l1-root/bin"
	for f in "$IMG"/*; do
		[ "${f##*/}" = l1-base.cpio.gz ] || ln -s "$f" "$ov/"
	done
	cp "$OUTDIR"/bin/* "$OUTDIR/l1-root/bin/"
	# A second cpio member after the first: the kernel unpacks both (boot_l1 appends the test script the same way).
	(cd "$OUTDIR/l1-root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n >"$OUTDIR/l1-bench.cpio.gz"
	cat "$IMG/l1-base.cpio.gz" "$OUTDIR/l1-bench.cpio.gz" >"$ov/l1-base.cpio.gz"
	rm -rf "$OUTDIR/l1-root"
	IMG=$ov
}

# host_model: the CPU model string of the machine this script runs on
host_model() {
	m=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	[ -n "$m" ] || m=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
	echo "${m:-unknown}"
}

# follow_progress: shows L1's "BENCH-PROGRESS: " lines as they reach the log (runs in the background until killed)
follow_progress() {
	seen=0
	while sleep 5; do
		n=$(grep -ac '^BENCH-PROGRESS: ' "$LOG")
		[ "$n" -gt "$seen" ] || continue
		grep -a '^BENCH-PROGRESS: ' "$LOG" | sed -n "$((seen + 1)),${n}s/^BENCH-PROGRESS: /$PROG: /p"
		seen=$n
	done
}

strip=${GUEST_STRIP:-aarch64-linux-gnu-strip}
is_arm64_host && strip=${GUEST_STRIP:-strip}
build_helpers || die "cannot build the L1 helpers"
"$strip" -o "$OUTDIR/lkvm.stripped" "$BUILD/lkvm" || die "cannot strip $BUILD/lkvm"
if [ "$MODE" = qemu ]; then
	overlay_images
	qv=$($QEMU --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
	where="nested: L1 under $QEMU $qv TCG (-cpu $QEMU_CPU, 2 vCPUs, $QEMU_MEM MiB) on $(uname -m) $(host_model)"
	say "booting L1 under QEMU; $RUNS rounds of 8 lkvm runs (about $((RUNS + 2)) minutes here); log: $LOG"
else
	PATH=$OUTDIR/bin:$PATH
	export PATH
	where="native: $(uname -m) with /dev/kvm, $(host_model)"
	say "running natively; $RUNS rounds of 8 lkvm runs; log: $LOG"
fi

{ echo "RUNS=$RUNS"; cat "$TOP/bench/l1-bench.sh"; } >"$OUTDIR/l1-script.sh"
start=$(date +%s)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
follow_progress &
follower=$!
trap 'kill "$follower" 2>/dev/null' EXIT
boot_l1 --smp 2 --timeout 1800 <"$OUTDIR/l1-script.sh"
kill "$follower"
trap - EXIT
elapsed=$(($(date +%s) - start))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
[ -z "$REASON" ] || die "$REASON (log: $LOG)"
if grep -aq '^BENCH-FAIL: ' "$OUT"; then
	grep -a -A 30 '^BENCH-FAIL: ' "$OUT" | head -n 60 >&2
	die "a benchmark run broke (log: $LOG)"
fi
grep -a '^BENCH-NOTE: ' "$OUT" | sed "s/^BENCH-NOTE: /$PROG: note: /" || true

{
	echo "BENCH-HOST: mode $MODE"
	echo "BENCH-HOST: where $where"
	echo "BENCH-HOST: date $date"
	echo "BENCH-HOST: runs $RUNS"
	echo "BENCH-HOST: seconds $elapsed"
	echo "BENCH-HOST: loadavg_before $load_before"
	echo "BENCH-HOST: loadavg_after $load_after"
	echo "BENCH: footprint.binary_bytes $(wc -c <"$BUILD/lkvm")"
	echo "BENCH: footprint.binary_stripped_bytes $(wc -c <"$OUTDIR/lkvm.stripped")"
	tr -d '\r' <"$OUT" | grep -a -E '^BENCH(-HOST|-NA)?: '
} >"$OUTDIR/samples.txt"
awk -f "$TOP/bench/report.awk" -v json="$OUTDIR/results.json" "$TOP/bench/figures.txt" "$OUTDIR/samples.txt" |
	tee "$OUTDIR/table.txt"
say "figures in $OUTDIR/results.json (took ${elapsed}s)"
