# t_pmu_icount.sh: with QEMU's -icount shift=0 the emulated host PMU counts instructions, and so does the guest's.
require_qemu || return 0
boot_l1 --smp 2 --qemu "-icount shift=0" <<'SCRIPT'
run_lkvm pmu run --pmu -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "l2.run=pmu-probe"
SCRIPT
expect '^pmu\| PMU-PROBE: cycles-scale ok'
small=$(value '^pmu\| PMU-PROBE: instructions small=([0-9]+) ')
large=$(value '^pmu\| PMU-PROBE: instructions small=[0-9]+ large=([0-9]+) ')
[ "${small:-0}" -gt 0 ] 2>/dev/null || fail "guest instruction count is '${small}', expected > 0"
[ "${large:-0}" -gt $((2 * ${small:-0})) ] 2>/dev/null || fail "instructions do not scale: small=$small large=$large"
expect '^pmu\| status=0$'
