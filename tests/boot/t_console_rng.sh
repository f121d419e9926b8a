# t_console_rng.sh: --console virtio and --rng. A marker the guest writes to /dev/hvc0 only (virtio-console) comes out
# on lkvm's stdout and in its --console-log file, and hvc0 is one of the guest's consoles; a line written to lkvm's
# stdin (a FIFO, once the guest reads hvc0) reaches the guest on hvc0. The guest's hw_random is virtio_rng, and
# /dev/hwrng gives it 64 bytes, not all zero.
boot_l1 --smp 2 <<'SCRIPT'
mkfifo virtio.in
(
	i=0
	while ! grep -q '^L2: hvc reading' virtio.out 2>/dev/null && [ $i -lt 400 ]; do
		usleep 50000
		i=$((i + 1))
	done
	echo "line from lkvm's stdin"
) >virtio.in &
t0=$(uptime_cs)
timeout 240 "$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 --console virtio --rng --console-log virtio.log \
	-p "quiet l2.run=hvc,rng" <virtio.in >virtio.out 2>&1
lkvm_report virtio $? "$t0"
wait
grep -q '^HVC0: marker written to /dev/hvc0' virtio.log && echo "virtio| console log has the hvc0 marker"
SCRIPT
expect '^virtio\| L2: init reached$' "L2's init"
expect '^virtio\| HVC0: marker written to /dev/hvc0$' "the marker written to hvc0, on lkvm's stdout"
expect '^virtio\| console log has the hvc0 marker$' "the marker written to hvc0 in the --console-log file"
expect '^virtio\| L2: hvc consoles=(.*,)?hvc0(,.*)?$' "hvc0 among the guest's active consoles"
expect_eq "the line the guest read from hvc0" "$(value "^virtio\\| L2: hvc read '(.*)'$")" "line from lkvm's stdin"
expect '^virtio\| L2: rng current=virtio_rng\.[0-9]+ ' "virtio_rng as the guest's current hw_random"
expect_eq "bytes read from /dev/hwrng" "$(value '^virtio\| L2: rng .* bytes=([0-9]+) ')" 64
sample=$(value '^virtio\| L2: rng .* sample=(.*)$')
echo "$sample" | grep -Eq '^[0-9a-f]{32}$' || fail "16 bytes of /dev/hwrng came out as '$sample'"
[ "$sample" != 00000000000000000000000000000000 ] || fail "/dev/hwrng gave 16 zero bytes"
expect '^virtio\| L2: done$' "L2 reaching its end"
expect '^virtio\| status=0$' "lkvm exiting 0"
