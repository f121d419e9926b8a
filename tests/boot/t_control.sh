# t_control.sh: the control socket and KVM statistics. An L2 named vm1 (--name) runs a shell fed from a FIFO that
# prints "tick N" every second; `lkvm list` shows it; `lkvm stat vm1` twice shows its userspace MMIO exits growing
# while it writes the console; `lkvm pause vm1` stops it (list says paused, ticks, console bytes and MMIO exits stand
# still, a second pause is fine) until `lkvm resume vm1`; malformed requests get "error:" and change nothing; a second
# VM cannot take the name; `lkvm stop vm1` ends it with status 0 and --stats prints the table at exit. A SIGKILLed
# lkvm's stale socket is reused by the next VM of that name and removed by `lkvm list`; --timeout fires while paused.
boot_l1 --smp 2 <<'SCRIPT'
trap '' PIPE
# Where lkvm puts the sockets (docs/control.md); in L1, as root, /run/lkvm.
unset XDG_RUNTIME_DIR
if [ "$(id -u)" = 0 ]; then sockdir=/run/lkvm; else sockdir=/tmp/lkvm-$(id -u); fi
# ctl TAG ARGS...: runs lkvm ARGS, prints its output as "TAG| ..." lines and "TAG| status=N"
ctl() {
	tag=$1
	shift
	timeout 60 "$LKVM" "$@" </dev/null >"./$tag.out" 2>&1
	lkvm_report "$tag" $?
}
# wait_for FILE REGEX SECONDS: waits until FILE (CRs dropped) has a line matching REGEX; says so if it never does
wait_for() {
	n=0
	until tr -d '\r' <"$1" | grep -Eq -- "$2"; do
		n=$((n + 1))
		if [ "$n" -gt $(($3 * 10)) ]; then
			echo "WAIT: no '$2' in $1 after $3 s"
			return 1
		fi
		usleep 100000
	done
}
# wait_socket NAME: waits (10 s at most) for the control socket of VM NAME
wait_socket() {
	n=0
	while [ ! -S "$sockdir/$1.sock" ] && [ "$n" -lt 100 ]; do
		usleep 100000
		n=$((n + 1))
	done
}
# sockets NAME...: "NAME=present" or "NAME=absent" for each control socket NAME
sockets() { for s in "$@"; do [ -e "$sockdir/$s.sock" ] && echo "$s=present" || echo "$s=absent"; done | tr '\n' ' '; }
# ticks: the last tick number vm1 printed so far
ticks() { tr -d '\r' <vm1.out | sed -n 's/^tick \([0-9][0-9]*\)$/\1/p' | tail -n 1; }
# mmio TAG: the sum over the vcpus of mmio_exit_user in lkvm stat's output TAG.out
mmio() { awk '$1 == "mmio_exit_user" { for (i = 2; i <= NF; i++) s += $i } END { print s + 0 }' "./$1.out"; }

printf '\000\000\000\024' >spin.bin	# a raw kernel of one instruction, "b ."
mkfifo in
# L2's shell reads lkvm's stdin, the FIFO, held open on fd 3 so that it never sees end of file.
"$LKVM" run --name vm1 --stats -k "$L2_KERNEL" -i "$L2_INITRD" -c 2 -m 128 --timeout 200 -p "quiet l2.run=shell" \
	<in >vm1.out 2>vm1.err &
pid=$!
exec 3>in
wait_for vm1.out '^L2: modules' 150 && wait_for vm1.out '# ?$' 30
echo 'i=0; while :; do i=$((i + 1)); echo "tick $i"; sleep 1; done' >&3
wait_for vm1.out '^tick 2$' 60
ctl list1 list
ctl stat1 stat vm1
sleep 3
ctl stat2 stat vm1
echo "MMIO running first=$(mmio stat1) later=$(mmio stat2)"

ctl pause1 pause vm1
t1=$(ticks) b1=$(wc -c <vm1.out)
ctl list2 list
ctl stat3 stat vm1
sleep 4
ctl stat4 stat vm1
ctl pause2 pause vm1
t2=$(ticks) b2=$(wc -c <vm1.out)
echo "PAUSED ticks $t1 $t2 bytes $b1 $b2 mmio $(mmio stat3) $(mmio stat4)"
ctl bad1 request vm1 'hello world'
ctl bad2 request vm1 "$(printf '%080d' 0)"
ctl bad3 request vm1 ''
ctl status1 request vm1 status
ctl dup run --name vm1 -k spin.bin -c 1 -m 64
ctl noname stat nosuchvm

ctl resume1 resume vm1
sleep 4
echo "RESUMED ticks $t2 $(ticks)"
ctl list3 list
ctl stop1 stop vm1
wait "$pid"
rc=$?
exec 3>&-
lkvm_report vm1 "$rc"
ctl list4 list
echo "SOCKETS after stop: $(sockets vm1)"

# A SIGKILLed lkvm leaves its socket: the next VM of that name takes it over, and lkvm list removes it.
for round in 1 2; do
	"$LKVM" run --name stale -k spin.bin -c 1 -m 64 --timeout 60 </dev/null >stale.out 2>&1 &
	spid=$!
	wait_socket stale
	kill -KILL "$spid"
	wait "$spid"
	echo "STALE round $round: $(sockets stale)"
	[ "$round" = 1 ] && ctl reuse run --name stale -k spin.bin -c 1 -m 64 --timeout 3
done
ctl list5 list
echo "SOCKETS after list: $(sockets stale)"

# --timeout still ends a paused VM.
"$LKVM" run --name paused -k spin.bin -c 1 -m 64 --timeout 6 </dev/null >paused.out 2>&1 &
ppid=$!
t0=$(uptime_cs)
wait_socket paused
ctl pause3 pause paused
wait "$ppid"
lkvm_report paused $? "$t0"
SCRIPT

# Running: listed, placed, and its MMIO exits grow while it writes ticks.
expect '^list1\| NAME +PID +VCPUS +MEM_MIB +STATE +PMU$' "lkvm list's heading"
expect '^list1\| vm1 +[0-9]+ +2 +128 +running +none$' "vm1 in lkvm list, running, 2 vcpus, 128 MiB, no PMU"
expect '^stat1\| VM \(kvm-[0-9]+\)$' "the VM's statistics in lkvm stat"
expect '^stat1\| vcpus +vcpu0 +vcpu1$' "a column per vcpu in lkvm stat"
expect '^stat1\|   host CPU \(last run\) +[0-9]+ +[0-9]+$' "each vcpu thread's host CPU"
expect '^stat1\|   allowed host CPUs +[0-9,-]+ +[0-9,-]+$' "each vcpu thread's allowed host CPUs"
expect '^stat1\|   exits +[0-9]+ +[0-9]+$' "KVM's exits per vcpu"
expect '^stat1\|   halt_wait_ns \[ns\] +[0-9]+ +[0-9]+$' "a statistic in nanoseconds, named by its descriptor"
expect '^stat1\| status=0$' "lkvm stat exiting 0"
m1=$(value '^MMIO running first=([0-9]+) ')
m2=$(value '^MMIO running first=[0-9]+ later=([0-9]+)$')
if [ -z "$m1" ] || [ "$m1" -eq 0 ] || [ "${m2:-0}" -le "$m1" ]; then
	fail "mmio_exit_user did not grow while the guest wrote ticks: ${m1:-?} then ${m2:-?}"
fi

# Paused: it says so, and nothing moves.
expect '^pause1\| paused$' "lkvm pause's reply"
expect '^pause1\| status=0$' "lkvm pause exiting 0"
expect '^list2\| vm1 +[0-9]+ +2 +128 +paused +none$' "vm1 paused in lkvm list"
expect '^pause2\| paused$' "a second pause of a paused VM accepted"
paused=$(grep -a '^PAUSED ' "$OUT")
echo "$paused" | grep -Eq '^PAUSED ticks ([0-9]+) \1 bytes ([0-9]+) \2 mmio ([0-9]+) \3$' ||
	fail "the guest moved while paused (ticks, console bytes, MMIO exits at the start and after 4 s): ${paused:-nothing}"
expect '^vm1\|   Info: control socket: pause: vcpus paused$' "lkvm's notice of the pause"

# Malformed requests: an error reply and status 1, the VM unaffected.
expect "^bad1\\|   Fatal: vm1: unknown request 'hello world' \\(status, stop, pause, resume or stats\\)$" "an unknown request refused"
expect '^bad1\| status=1$'
expect '^bad2\|   Fatal: vm1: request longer than 63 bytes$' "a too long request refused"
expect '^bad3\|   Fatal: vm1: empty request$' "an empty request refused"
expect '^status1\| name: vm1$' "the status reply's name"
expect '^status1\| vcpus: 2$' "the status reply's vcpus"
expect '^status1\| pmu: none$' "the status reply's PMU"
expect '^status1\| state: paused$' "vm1 still paused after the bad requests"
expect "^dup\\|   Fatal: a VM named 'vm1' is already running \\(/[^ ]*/vm1\\.sock\\)$" "a second VM named vm1 refused"
expect '^dup\| status=1$'
expect "^noname\\|   Fatal: no VM named 'nosuchvm' is running \\(/[^ ]*/nosuchvm\\.sock does not exist\\)$" \
	"an unknown VM name refused"
expect '^noname\| status=1$'

# Resumed, then stopped.
expect '^resume1\| running$' "lkvm resume's reply"
resumed=$(grep -a '^RESUMED ' "$OUT")
if ! echo "$resumed" | grep -Eq '^RESUMED ticks [0-9]+ [0-9]+$' ||
	[ "$(echo "$resumed" | cut -d' ' -f4)" -le "$(echo "$resumed" | cut -d' ' -f3)" ]; then
	fail "no new ticks after resume: ${resumed:-nothing}"
fi
expect '^list3\| vm1 .* running +none$' "vm1 running again in lkvm list"
expect '^stop1\| stopping$' "lkvm stop's reply"
expect '^vm1\|   Info: control socket: stop: stopping the VM$' "lkvm's notice of the stop"
expect '^vm1\| status=0$' "status 0 after lkvm stop"
expect_no '^vm1\| L2: done$' "the guest ending on its own (the stop must have ended it)"
expect '^vm1\| lkvm: KVM statistics of VM vm1 at exit$' "--stats's table at exit"
expect '^vm1\|   mmio_exit_user +[0-9]+ +[0-9]+$' "--stats's per-vcpu MMIO exits"
expect '^vm1\|   host CPU \(last run\) +[0-9]+ +[0-9]+$' "--stats's last host CPU of each vcpu"
expect '^vm1\|   vcpu[01] halt_wait_hist \[ns\]: [0-9]' "--stats's histogram buckets"
expect_no '^list4\| vm1 ' "vm1 in lkvm list after it stopped"
expect '^SOCKETS after stop: vm1=absent $' "vm1's socket removed at exit"

# Stale sockets and --timeout while paused.
expect '^STALE round 1: stale=present $' "the SIGKILLed lkvm's socket left behind"
expect '^reuse\| status=124$' "a new VM taking over the stale socket's name"
expect '^STALE round 2: stale=present $'
expect_no '^list5\| stale ' "a stale socket listed as a VM"
expect '^SOCKETS after list: stale=absent $' "lkvm list removing the stale socket"
expect '^pause3\| paused$' "the spinning VM paused"
expect '^paused\| status=124$' "--timeout ending a paused VM"
