# t_hetero_pmus.sh: harness self-test: with virt-hetero.dtb, L1 sees two PMUs (cortex-a53 on cpus 0-1, a72 on 2-3) and /dev/kvm.
boot_l1 --hetero <<'SCRIPT'
for d in /sys/bus/event_source/devices/armv8*; do
	echo "PMU $(basename "$d") type=$(cat "$d/type") cpus=$(cat "$d/cpus")"
done
echo "CPUS online=$(cat /sys/devices/system/cpu/online)"
dmesg | grep 'kvm \['
SCRIPT
expect '^L1: kvm ok'
expect '^CPUS online=0-3$' "4 online CPUs"
expect '^PMU armv8_cortex_a53 type=[0-9]+ cpus=0-1$' "PMU armv8_cortex_a53 on cpus 0-1"
expect '^PMU armv8_cortex_a72 type=[0-9]+ cpus=2-3$' "PMU armv8_cortex_a72 on cpus 2-3"
expect_no '^PMU armv8_pmuv3 ' "QEMU's own PMU"
a53=$(value '^PMU armv8_cortex_a53 type=([0-9]+) ')
a72=$(value '^PMU armv8_cortex_a72 type=([0-9]+) ')
[ "$a53" != "$a72" ] || fail "both PMUs have type $a53"
expect 'kvm \[1\]: (Hyp|VHE) mode initialized successfully' "KVM initialised in L1"
