# t_scripted.sh: lkvm in scripts. --timeout ends a guest that never stops with status 124, on time: a vcpu spinning in
# guest mode (a one-instruction raw kernel, "b .") and an idle L2 (l2.run=hang, console also in --console-log, which
# has L2's lines up to the end). The exit device: the guest's "devmem 0x1001000 32 7" is lkvm's status 7. lkvm boots
# and powers off (status 0) with stdin at EOF (</dev/null), with stdin closed (<&-; its --console-log then holds
# exactly its stdout), and with stdout a pipe (| cat), where a guest reboot -f under --reboot exit is status 2.
# SIGTERM stops a running VM with status 143 (128 + 15). Guest accesses to unmapped addresses read 0, are logged once,
# and the guest goes on.
boot_l1 --smp 2 <<'SCRIPT'
printf '\000\000\000\024' >spin.bin
run_lkvm spin run -k spin.bin -c 1 -m 64 --timeout 5
run_lkvm hang run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 --timeout 15 --console-log hang.log -p "quiet l2.run=hang"
sed 's/^/hang-log| /' hang.log
run_lkvm exit7 run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "quiet l2.run=exit=7"

t0=$(uptime_cs)
timeout 240 "$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 --console-log closed.log -p "quiet l2.run=none" \
	<&- >closed.out 2>closed.err
lkvm_report closed $? "$t0"
cmp closed.out closed.log >/dev/null && echo "closed| console log = stdout"

t0=$(uptime_cs)
{
	timeout 240 "$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 --reboot exit -p "quiet l2.run=reboot" </dev/null 2>&1
	echo $? >pipe.rc
} | cat >pipe.out
lkvm_report pipe "$(cat pipe.rc)" "$t0"

"$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "quiet l2.run=hang" </dev/null >term.out 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q 'L2: hanging' term.out; do
	usleep 100000
	i=$((i + 1))
done
kill -TERM "$pid"
wait "$pid"
lkvm_report term $?

run_lkvm unmapped run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -p "quiet l2.run=unmapped"
SCRIPT
# within TAG MIN MAX: lkvm's run TAG took at least MIN seconds and less than MAX
within() {
	s=$(value "^$1\\| seconds=([0-9]+)\\.")
	if [ -z "$s" ] || [ "$s" -lt "$2" ] || [ "$s" -ge "$3" ]; then
		fail "$1: lkvm took ${s:-?} s, expected $2 to $3 s"
	fi
}
expect '^spin\| status=124$' "--timeout 5 ending a spinning vcpu with status 124"
within spin 5 8
expect '^spin\|   Info: --timeout 5 s expired' "lkvm saying the timeout expired"

expect '^hang\| L2: hanging$' "L2 reaching hang before --timeout 15"
expect '^hang\| status=124$' "--timeout 15 ending an idle L2 with status 124"
within hang 15 18
expect '^hang-log\| L2: init reached$' "L2's lines in the --console-log file"
expect '^hang-log\| L2: hanging$' "the console log complete up to the timeout"

expect '^exit7\| L2: exit device id=0x58564B4C, writing 7$' "the exit device's id register read by the guest"
expect '^exit7\| status=7$' "status 7 from the guest's write to the exit device (stdin at EOF)"
expect_no '^exit7\| L2: done$' "L2 going on after its write to the exit device"

expect '^closed\| L2: done$' "L2 running to its end with lkvm's stdin closed"
expect '^closed\| status=0$' "lkvm exiting 0 with stdin closed"
expect '^closed\| console log = stdout$' "the --console-log file identical to lkvm's stdout"

expect '^pipe\| L2: reboot -f$' "L2's reboot with stdout a pipe"
expect '^pipe\| status=2$' "status 2 for a guest reset under --reboot exit"

expect '^term\| L2: hanging$' "L2 up before the SIGTERM"
expect '^term\| status=143$' "status 143 for SIGTERM"

expect '^unmapped\| L2: unmapped reads 0x00000000 0x00000000$' "unmapped reads returning 0"
expect '^unmapped\| L2: done$' "L2 going on after unmapped accesses"
expect '^unmapped\| status=0$'
[ "$(count unmapped '  Warning: guest .* no device there')" = 1 ] || fail "unmapped accesses not logged exactly once"
