#!/bin/sh
# run.sh: builds the libFuzzer harnesses natively with clang and fuzzes each for its share of SECONDS (default 30).
#
#   sh tests/fuzz/run.sh [SECONDS]
#
# Corpora persist in $BUILD/fuzz/corpus-* (BUILD defaults to build) so repeated
# runs go deeper; a crash leaves its reproducer in $BUILD/fuzz/ and fails.
# Prints one line: "fuzz: PASS ..." or "fuzz: FAIL ...".
set -eu

secs=${1:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${BUILD:-$root/build}/fuzz
cc=${FUZZ_CC:-clang}
cflags="-std=gnu11 -g -O1 -I$root -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-Wmissing-prototypes -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"

case $secs in
''|*[!0-9]*|0) echo "fuzz: FAIL: SECONDS must be a positive integer, not '$secs'"; exit 2 ;;
esac
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: FAIL: $cc not found (make deps installs clang and libFuzzer)"
	exit 1
fi
mkdir -p "$out"

# name, then its sources besides tests/fuzz/NAME.c
harnesses="fuzz_virtqueue:devices/virtqueue.c
fuzz_virtio_mmio:devices/virtio_mmio.c devices/virtio_blk.c devices/virtio_console.c devices/virtio_rng.c devices/virtqueue.c vmm/err.c vmm/log.c"
n=$(printf '%s\n' "$harnesses" | wc -l)
each=$((secs / n))
[ "$each" -ge 1 ] || each=1

summary=""
status=0
for h in $(printf '%s\n' "$harnesses" | cut -d: -f1); do
	srcs=$(printf '%s\n' "$harnesses" | grep "^$h:" | cut -d: -f2)
	srcs_abs=""
	for s in tests/fuzz/$h.c $srcs; do
		srcs_abs="$srcs_abs $root/$s"
	done
	# shellcheck disable=SC2086
	if ! $cc $cflags $srcs_abs -o "$out/$h" 2>"$out/$h.build.log"; then
		echo "fuzz: FAIL: $h does not build (see $out/$h.build.log)"
		exit 1
	fi
	mkdir -p "$out/corpus-$h"
	if "$out/$h" -max_total_time="$each" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/$h-" "$out/corpus-$h" >"$out/$h.log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out/$h.log" | tail -n 1)
		summary="$summary $h: ${runs:-?} runs in ${each}s, no crash;"
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out/$h.log" | tail -n 1)
		summary="$summary $h: CRASH, reproducer ${crash:-none} (log $out/$h.log);"
		status=1
	fi
done
if [ "$status" -eq 0 ]; then
	echo "fuzz: PASS:${summary%;}"
else
	echo "fuzz: FAIL:${summary%;}"
fi
exit "$status"
