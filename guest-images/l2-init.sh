#!/bin/sh
# l2-init.sh: /init of the L2 guest (booted by lkvm): prints "L2:" markers, loads virtio modules, runs l2.run=WORD[,WORD...], powers off.
#
# Words of l2.run= (kernel command line): shell (interactive busybox sh), none, or NAME to run /bin/NAME (e.g. pmu-probe).
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

loaded=0
total=0
for m in $(cat /lib/modules/load-order); do
	total=$((total + 1))
	insmod "/lib/modules/$m.ko" && loaded=$((loaded + 1))
done
echo "L2: modules loaded=$loaded/$total"

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
