# t_pmu_filter.sh: --pmu-events: a denied event counts zero and vanishes from the guest's event list, an allowed one
# counts; --pmu-counters on a 6.1 host kernel (no way to limit counters) is a clear error; bad event names are refused.
require_qemu || return 0
boot_l1 --smp 2 --qemu "-icount shift=0" <<'SCRIPT'
run_lkvm all run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
run_lkvm deny run --pmu --pmu-events deny:inst_retired -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
run_lkvm allow run --pmu --pmu-events allow:cpu_cycles,0x11 -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
run_lkvm badname run --pmu --pmu-events allow:cpu_cycels -k "$L2_KERNEL" -c 1 -m 128
run_lkvm counters run --pmu --pmu-counters 2 --timeout 120 -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
uname -r | sed 's/^/l1-kernel /'
SCRIPT
expect '^all\| PMU-PROBE: event inst_retired listed=yes count=[1-9]' "inst_retired listed and counting without a filter"
expect '^all\| PMU-PROBE: event cpu_cycles listed=yes count=[1-9]' "cpu_cycles listed and counting without a filter"
for run in deny allow; do
	expect "^$run\\| PMU-PROBE: event inst_retired listed=no count=0\$" "$run: inst_retired hidden and counting 0"
	expect "^$run\\| PMU-PROBE: event cpu_cycles listed=yes count=[1-9]" "$run: cpu_cycles still counting"
	expect "^$run\\| PMU-PROBE: cycles-scale ok" "$run: cycles scaling"
	expect "^$run\\| status=0\$"
done
expect '^badname\|   Fatal: --pmu-events: .cpu_cycels. is not an event .*cpu_cycles' "a misspelt event refused, known names listed"
expect '^badname\| status=1$'
if grep -aq '^l1-kernel 6\.1\.' "$OUT"; then
	expect '^counters\|   Fatal: --pmu-counters: host KVM can limit guest counters neither' "--pmu-counters refused on 6.1"
	expect '^counters\| status=1$'
fi
