# t_pmu_counters.sh: --pmu-counters N on host kernels that can limit guest counters: the guest sees N, without it the
# host's, above the host's a clear error; under QEMU one L1 boot each on trixie's kernel (PMCR_EL0.N, Linux 6.7+) and
# sid's (KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS, 6.16+); natively, what the running kernel can do (on 6.1, t_pmu_filter).

# mechanism RELEASE: how a host kernel of RELEASE limits guest counters: attr (6.16+), pmcr (6.7+) or none
mechanism() { echo "$1" | awk -F. '{ v = $1 * 1000 + $2; print (v >= 6016 ? "attr" : v >= 6007 ? "pmcr" : "none") }'; }

# check_counters WANT: checks one boot's output, its L1 kernel limiting counters by WANT (mechanism; "" for any)
check_counters() {
	release=$(value '^l1-kernel (.+)$')
	mech=$(mechanism "$release")
	[ -z "$1" ] || expect_eq "L1 kernel $release's mechanism" "$mech" "$1"
	if [ "$mech" = none ]; then
		expect '^limit\|   Fatal: --pmu-counters: host KVM can limit guest counters neither' "--pmu-counters refused on $release"
		expect '^limit\| status=1$'
		return 0
	fi
	expect_eq "counters seen by the guest with --pmu-counters 3" "$(value '^limit\| PMU-PROBE: counters ([0-9]+)$')" 3
	expect '^limit\| L2: cpus online=2$' "2 vcpus online with --pmu-counters 3"
	expect '^limit\| status=0$' "lkvm --pmu-counters 3 exiting 0"
	host_n=$(value '^full\| PMU-PROBE: counters ([0-9]+)$')
	[ "${host_n:-0}" -gt 3 ] || fail "counters seen by the guest without --pmu-counters is '$host_n', expected more than 3"
	expect '^full\| status=0$' "lkvm --pmu exiting 0"
	expect "^toomany\\|   Fatal: --pmu-counters 31: the host PMU has $host_n counters\$" \
		"--pmu-counters 31 refused, naming the host's $host_n counters"
	expect '^toomany\| status=1$'
}

if [ "$MODE" = native ]; then
	parts=native
else
	require_l1_kernels trixie sid || return 0
	parts="trixie sid"
fi
for part in $parts; do
	case $part in
	native) want= ;;
	trixie) want=pmcr ;;
	sid) want=attr ;;
	esac
	[ "$part" = native ] || test_part "$part"
	boot_l1 --smp 2 ${want:+--l1-kernel "$part"} <<'SCRIPT'
uname -r | sed 's/^/l1-kernel /'
run_lkvm limit run --pmu --pmu-counters 3 -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 128 -p "l2.run=pmu-probe"
run_lkvm full run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
run_lkvm toomany run --pmu --pmu-counters 31 --timeout 120 -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
SCRIPT
	check_counters "$want"
done
