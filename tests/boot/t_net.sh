# t_net.sh: virtio-net on a tap (-n mode=tap,tapif=NAME). L1 (lkvm's host) is 10.0.2.1/24 on the tap, L2 10.0.2.2/24
# on eth0; L2's pings (3 small, 1 of 1400 bytes) are answered, on a tap made beforehand (tunctl, persistent) and on one
# lkvm creates (configured by L1 as soon as it appears, gone after lkvm exits). Without /dev/net/tun, or with an
# unknown -n mode, lkvm stops with one "  Fatal: " line and status 1. Only under QEMU: it reconfigures the host's network.
require_qemu || return 0
boot_l1 --smp 2 <<'SCRIPT'
# tap_up NAME: gives tap NAME the address 10.0.2.1/24 and sets it up
tap_up() { ip addr add 10.0.2.1/24 dev "$1" && ip link set "$1" up && echo "L1: $1 up"; }

tunctl -t tap0 >/dev/null && tap_up tap0
run_lkvm tap run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -n mode=tap,tapif=tap0 -p "quiet l2.run=net"
echo "tap| tap0 rx_packets=$(cat /sys/class/net/tap0/statistics/rx_packets)"
tunctl -d tap0 >/dev/null

(
	i=0
	while [ ! -e /sys/class/net/tap1 ] && [ $i -lt 400 ]; do
		usleep 50000
		i=$((i + 1))
	done
	tap_up tap1
) &
run_lkvm newtap run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -n mode=tap,tapif=tap1 -p "quiet l2.run=net"
wait
[ -e /sys/class/net/tap1 ] && echo "newtap| tap1 still there after lkvm"

mv /dev/net/tun /dev/net/tun.off
run_lkvm notun run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -n mode=tap,tapif=tap2
mv /dev/net/tun.off /dev/net/tun
run_lkvm badmode run -k "$L2_KERNEL" -c 1 -m 128 -n mode=user
SCRIPT
expect '^L1: tap0 up$' "tap0 made and configured in L1"
expect '^tap\| L2: net eth0 mac=[0-9a-f:]{17}$' "eth0 in the guest"
expect_eq "replies to the guest's pings over tap0" "$(value '^tap\| L2: net ping 10.0.2.1 (received=.*)$')" "received=3/3 large=1/1"
expect '^tap\| status=0$' "lkvm exiting 0 (tap0)"
[ "$(value '^tap\| tap0 rx_packets=([0-9]+)$')" -gt 0 ] 2>/dev/null || fail "L1 counted no packets from the guest on tap0"

expect '^L1: tap1 up$' "tap1, created by lkvm, configured in L1"
expect_eq "replies to the guest's pings over tap1" "$(value '^newtap\| L2: net ping 10.0.2.1 (received=.*)$')" "received=3/3 large=1/1"
expect '^newtap\| status=0$' "lkvm exiting 0 (tap1)"
expect_no '^newtap\| tap1 still there' "tap1 outliving the lkvm that created it"

for tag in notun badmode; do
	expect_eq "$tag: lkvm's output lines (all but its status)" "$(($(count "$tag" '') - 2))" 1
	expect "^$tag\\| status=1\$" "$tag: lkvm exiting 1"
done
expect '^notun\|   Fatal: .*/dev/net/tun' "without /dev/net/tun, a Fatal line naming it"
expect '^badmode\|   Fatal: .*mode=user' "-n mode=user refused, named in a Fatal line"
