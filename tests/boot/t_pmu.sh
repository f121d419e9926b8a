# t_pmu.sh: --pmu on a homogeneous host: the guest sees a PMUv3, counts cycles that scale with work, takes overflow
# interrupts; without --pmu it sees none; a bad --pmu-irq or an unknown PMU is refused before the VM starts.
boot_l1 --smp 2 <<'SCRIPT'
run_lkvm pmu run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 256 -p "l2.run=pmu-probe"
run_lkvm nopmu run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
run_lkvm badirq run --pmu --pmu-irq 27 -k "$L2_KERNEL" -c 1 -m 128
run_lkvm unknown run --pmu=armv9_nonesuch -k "$L2_KERNEL" -c 1 -m 128
SCRIPT
expect '^pmu\| L2: cpus online=2$' "2 vcpus online with --pmu"
expect '^pmu\| PMU-PROBE: pmus .* armv8_pmuv3:[0-9]+:cpu' "the guest's armv8_pmuv3 CPU PMU"
expect '^pmu\| PMU-PROBE: cycles-scale ok' "guest cycle counts growing with the work"
expect '^pmu\| PMU-PROBE: overflow ok' "guest overflow interrupts"
[ "$(value '^pmu\| PMU-PROBE: samples ([0-9]+) ')" -gt 0 ] 2>/dev/null || fail "no overflow samples in the guest"
expect '^pmu\| status=0$' "lkvm --pmu exiting 0"
expect '^nopmu\| PMU-PROBE: no-pmu ' "no PMU in a guest started without --pmu"
expect_no '^nopmu\| PMU-PROBE: pmus .*armv8' "an armv8 PMU without --pmu"
expect '^nopmu\| status=0$' "lkvm without --pmu exiting 0"
expect '^badirq\|   Fatal: --pmu-irq: INTID 27 belongs to the arch timer$' "--pmu-irq 27 refused"
expect '^badirq\| status=1$'
expect '^unknown\|   Fatal: --pmu=armv9_nonesuch: .*armv8_pmuv3 \(type [0-9]+\)' "unknown PMU refused, naming the host's"
expect '^unknown\| status=1$'
