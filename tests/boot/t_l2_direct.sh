# t_l2_direct.sh: harness self-test, no lkvm: QEMU boots the L2 initramfs directly; its /init, modules and l2.run work.
require_qemu || return 0
boot_qemu --smp 2 --timeout 120 --append "l2.run=none,no-such-program" -- "$IMG/l2-initramfs.cpio.gz"
expect 'L2: init reached'
expect_eq "L2's online CPU count" "$(value 'L2: cpus online=([0-9]+)')" 2
n=$(grep -c . "$IMG/modules/load-order")
expect_eq "loaded modules" "$(value 'L2: modules loaded=([0-9]+/[0-9]+)')" "$n/$n"
expect 'L2: no program no-such-program'
expect 'L2: done'
expect 'reboot: Power down' "L2's power-off"
