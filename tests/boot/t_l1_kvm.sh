# t_l1_kvm.sh: harness self-test: the homogeneous L1 guest has /dev/kvm and one PMUv3 PMU (armv8_pmuv3).
require_qemu || return 0
boot_l1 --smp 2 <<'SCRIPT'
for d in /sys/bus/event_source/devices/armv8*; do
	echo "PMU $(basename "$d") type=$(cat "$d/type") cpus=$(cat "$d/cpus")"
done
SCRIPT
expect '^L1: kvm ok'
expect '^PMU armv8_pmuv3 type=[0-9]+ cpus=0-1$' "PMU armv8_pmuv3 on cpus 0-1"
expect_eq "lkvm-less test exit" "$(value '^L1: test exit=([0-9]+)')" 0
