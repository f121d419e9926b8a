#!/bin/sh
# demo.sh BUILD: boots L1 under QEMU (-icount shift=0, so instructions count) and runs "lkvm run --pmu" there, showing the L2 PMU report live.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROG=demo
. "$TOP/tests/boot/lib.sh"
boot_init "${1:-}"
test_begin demo

if [ "$MODE" = qemu ]; then
	say "booting L1 under QEMU ($QEMU_CPU, 2 vCPUs, -icount shift=0; about half a minute)..."
else
	say "running on this arm64 host's KVM..."
fi
say "then lkvm run --pmu boots L2 (2 vCPUs, 256 MiB), whose init runs pmu-probe; full log: $LOG"
boot_l1 --smp 2 --qemu "-icount shift=0" --append quiet --timeout 900 --live <<'SCRIPT'
echo "demo: lkvm run --pmu -c 2 -m 256 -p l2.run=pmu-probe"
"$LKVM" run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 256 -p "l2.run=pmu-probe"
SCRIPT
status=$(value '^L1: test exit=([0-9]+)')
[ -n "$REASON" ] && die "$REASON"
say "lkvm exited with status $status"
[ "$status" = 0 ]
