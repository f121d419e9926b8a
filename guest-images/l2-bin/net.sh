#!/bin/sh
# net: l2.run word for lkvm -n mode=tap: eth0 = 10.0.2.2/24, then pings the tap's end (L1), 10.0.2.1, three times
# and once with a 1400-byte payload; prints the replies received.
# received COUNT SIZE: pings 10.0.2.1 COUNT times with SIZE bytes of payload; prints the number of replies
received() {
	ping -c "$1" -s "$2" -w 15 10.0.2.1 | sed -n 's/.* \([0-9]*\) packets received.*/\1/p'
}
if ! ip addr add 10.0.2.2/24 dev eth0 || ! ip link set eth0 up; then
	echo "L2: net: cannot configure eth0"
	exit 1
fi
echo "L2: net eth0 mac=$(cat /sys/class/net/eth0/address)"
echo "L2: net ping 10.0.2.1 received=$(received 3 56)/3 large=$(received 1 1400)/1"
