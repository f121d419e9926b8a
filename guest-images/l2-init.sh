#!/bin/sh
# l2-init.sh: /init of the L2 guest (booted by lkvm): prints "L2:" markers, loads virtio modules, runs l2.run=WORD[,WORD...], powers off.
#
# Words of l2.run= (kernel command line), run in order:
#   none       nothing
#   shell      an interactive busybox sh
#   diskroot   mounts /dev/vda (ext4, e.g. rootfs.ext4) and switch_roots to it; its /init (disk-init.sh) goes on from there
#   hang       sleeps for ever (for lkvm --timeout)
#   reboot     reboot -f: a guest reset (lkvm exits 2, or boots again with --reboot restart)
#   exit=N     writes N to lkvm's exit device (0x1001000), which ends the VM with status N
#   NAME       runs /bin/NAME: a probe (pmu-probe) or a guest-images/l2-bin script (hvc, rng, net, diskro, reboot-once)
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Kernel messages on the console would split the marker lines written from here on.
echo 1 >/proc/sys/kernel/printk
echo "L2: init reached"

# count_cpus LIST: the number of CPUs in a sysfs CPU list such as 0-1,3
count_cpus() {
	n=0
	for r in $(echo "$1" | tr ',' ' '); do
		case $r in
		*-*) n=$((n + ${r#*-} - ${r%-*} + 1)) ;;
		*) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}
echo "L2: cpus online=$(count_cpus "$(cat /sys/devices/system/cpu/online)")"

echo "L2: modules $(load-modules)"

run=
for arg in $(cat /proc/cmdline); do
	case $arg in
	l2.run=*) run=${arg#l2.run=} ;;
	esac
done
for w in $(echo "$run" | tr ',' ' '); do
	case $w in
	none) ;;
	shell) setsid cttyhack sh ;;
	diskroot)
		mkdir -p /newroot
		if mount -t ext4 /dev/vda /newroot; then
			echo "L2: switch_root to /dev/vda"
			# The new root's /init finds /dev, /proc and /sys mounted; switch_root empties this initramfs.
			for d in dev proc sys; do
				mount --move "/$d" "/newroot/$d"
			done
			exec switch_root /newroot /init
		fi
		echo "L2: diskroot: cannot mount /dev/vda"
		;;
	hang)
		echo "L2: hanging"
		while :; do sleep 3600; done
		;;
	reboot)
		echo "L2: reboot -f"
		reboot -f
		;;
	exit=*)
		echo "L2: exit device id=$(devmem 0x1001004 32), writing ${w#exit=}"
		devmem 0x1001000 32 "${w#exit=}"
		;;
	*)
		if [ -x "/bin/$w" ]; then
			echo "L2: run $w"
			"/bin/$w"
			echo "L2: $w exit=$?"
		else
			echo "L2: no program $w"
		fi
		;;
	esac
done

echo "L2: done"
poweroff -f
