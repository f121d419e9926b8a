#!/bin/sh
# reboot-once: l2.run word for lkvm --reboot restart with a scratch disk: counts boots in the first bytes of /dev/vda;
# on the first boot writes 1 there and reboots (reboot -f), on later boots just prints the count.
if [ ! -b /dev/vda ]; then
	echo "L2: reboot-once: no /dev/vda"
	exit 1
fi
n=$(head -c 16 /dev/vda | tr -dc 0-9)
n=$((${n:-0} + 1))
echo "L2: reboot-once boot=$n"
if [ "$n" = 1 ]; then
	printf '%-16s' 1 | dd of=/dev/vda conv=notrunc,fsync 2>/dev/null || echo "L2: reboot-once: cannot write /dev/vda"
	reboot -f
fi
