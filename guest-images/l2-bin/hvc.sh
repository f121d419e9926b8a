#!/bin/sh
# hvc: l2.run word for lkvm --console virtio: writes a marker to the virtio console /dev/hvc0 only (not to init's
# ttyS0), so on lkvm's stdout it can only have come through virtio-console; names the kernel's active consoles; then,
# holding hvc0 open (input that arrives with no one reading is dropped at its last close), prints "L2: hvc reading"
# and reads one line of input (lkvm's stdin), for up to 10 s.
[ -c /dev/hvc0 ] || {
	echo "L2: hvc: no /dev/hvc0"
	exit 1
}
echo "L2: hvc consoles=$(tr ' ' , </sys/class/tty/console/active)"
echo "HVC0: marker written to /dev/hvc0" >/dev/hvc0
exec 3</dev/hvc0
stty -echo <&3
echo "L2: hvc reading"
line=
# shellcheck disable=SC3045 # read -t: busybox sh has it
read -t 10 -r line <&3
echo "L2: hvc read '$line'"
exec 3<&-
