# t_boot_2cpu.sh: lkvm boots the L2 kernel + initramfs with 2 vCPUs; L2 reaches /init, sees 2 CPUs and powers off (lkvm exits 0).
boot_l1 --smp 2 <<'SCRIPT'
timeout 240 "$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 256 -p "l2.run=none"
SCRIPT
expect 'Booting Linux on physical CPU' "the L2 kernel's boot banner"
expect 'L2: init reached'
expect_eq "L2's online CPU count" "$(value 'L2: cpus online=([0-9]+)')" 2
expect 'L2: done'
expect_eq "lkvm's exit status" "$(value '^L1: test exit=([0-9]+)')" 0
