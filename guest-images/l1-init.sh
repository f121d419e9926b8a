#!/bin/sh
# l1-init.sh: /init of the L1 guest (booted by QEMU): checks /dev/kvm, loads L1's modules (tun, loop, ext4: not on an
# l1-Image-SUITE kernel, which they were not built for), runs the per-test /test.sh with lkvm and the L2 images, powers off.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Warnings and worse still reach the console; info lines (module loads, loop mounts) would split the test's lines.
echo 5 >/proc/sys/kernel/printk
if [ -c /dev/kvm ]; then
	echo "L1: kvm ok"
else
	echo "L1: no /dev/kvm"
fi
echo "L1: modules $(load-modules)"
echo "L1: test start"
cd /tmp || exit
LKVM=/bin/lkvm L2_KERNEL=/guest/Image L2_INITRD=/guest/l2-initramfs.cpio.gz L2_DISK=/guest/rootfs.ext4 sh /test.sh
echo "L1: test exit=$?"
poweroff -f
