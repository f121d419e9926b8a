# t_pmu_hetero.sh: --pmu on a big.LITTLE L1 (two arm_pmus): lkvm pmu lists both; the chosen PMU's CPUs are every vcpu
# thread's affinity; plain --pmu works every time; an affinity spanning both PMUs is refused; an unpinned vcpu on the
# wrong cluster ends the VM with KVM_EXIT_FAIL_ENTRY named.
boot_l1 --hetero <<'SCRIPT'
a72_type=$(cat /sys/bus/event_source/devices/armv8_cortex_a72/type)
run_lkvm list pmu
run_lkvm_watch little run --pmu=armv8_cortex_a53 -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 128 -p "l2.run=pmu-probe"
run_lkvm_watch big run --pmu="$a72_type" -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 128 -p "l2.run=pmu-probe"
for i in 1 2 3; do
	run_lkvm "auto$i" run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -m 128 -p "l2.run=pmu-probe"
done
run_lkvm span run --pmu --vcpu-affinity 1-2 -k "$L2_KERNEL" -c 1 -m 128
echo "spawn taskset"
taskset -c 3 sh -c 'echo "pinned-to $(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status)"'
LKVM_PREFIX="taskset -c 3" run_lkvm forced run --pmu=armv8_cortex_a53 --pmu-no-pin -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128
SCRIPT
expect '^list\| armv8_cortex_a53 +[0-9]+ +0-1 ' "lkvm pmu listing armv8_cortex_a53 on CPUs 0-1"
expect '^list\| armv8_cortex_a72 +[0-9]+ +2-3 ' "lkvm pmu listing armv8_cortex_a72 on CPUs 2-3"
expect '^list\| lkvm run --pmu would use armv8_cortex_a72 ' "lkvm pmu naming its choice"

for run in little big; do
	want=0-1
	[ "$run" = big ] && want=2-3
	[ "$(count "$run" 'affinity vcpu[0-9]+=')" = 2 ] || fail "$run: expected 2 vcpu threads in /proc, saw $(count "$run" 'affinity vcpu')"
	[ "$(count "$run" "affinity vcpu[0-9]+=$want\$")" = 2 ] ||
		fail "$run: vcpu threads not pinned to $want: $(grep -a "^$run| affinity" "$OUT" | tr '\n' ' ')"
	expect "^$run\\| L2: cpus online=2\$" "$run: 2 vcpus online"
	expect "^$run\\| PMU-PROBE: cycles-scale ok" "$run: guest cycles counting"
	expect "^$run\\| status=0\$" "$run: lkvm exiting 0"
done
expect '^little\|   Info: --pmu: armv8_cortex_a53 .*pinned to CPUs 0-1' "the choice said on stderr"

for i in 1 2 3; do
	expect "^auto$i\\|   Info: --pmu: armv8_cortex_a72 \\(type [0-9]+\\).*pinned to CPUs 2-3" "auto$i: choice of the higher type on a tie, said"
	expect "^auto$i\\| L2: cpus online=2\$" "auto$i: every vcpu online"
	expect "^auto$i\\| PMU-PROBE: cycles-scale ok" "auto$i: guest cycles counting"
	expect "^auto$i\\| status=0\$" "auto$i: lkvm exiting 0"
done

expect '^span\|   Fatal: .*armv8_cortex_a53.*armv8_cortex_a72' "--vcpu-affinity 1-2 refused, naming both PMUs"
expect '^span\| status=1$'
expect '^pinned-to 3$' "taskset working in L1"
expect '^forced\|   Fatal: vcpu 0: KVM_EXIT_FAIL_ENTRY: host CPU 3 is not covered by its PMU armv8_cortex_a53 \(type [0-9]+, CPUs 0-1\)$' \
	"the FAIL_ENTRY message naming vcpu, CPU and PMU"
expect '^forced\| status=1$'
