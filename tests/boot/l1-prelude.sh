# l1-prelude.sh: shell helpers put in front of every boot test's /test.sh (run in L1, or natively on arm64).
# Environment (from l1-init.sh or boot_native): LKVM, L2_KERNEL, L2_INITRD, L2_DISK (rootfs.ext4: copy it before use).

# uptime_cs: the system's uptime in centiseconds
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# lkvm_report TAG STATUS [SINCE]: prints lkvm's output ./TAG.out (and ./TAG.err if there is one) as "TAG| ..." lines,
# "TAG| seconds=S.CC" when SINCE (an uptime_cs value from before lkvm started) is given, then "TAG| status=STATUS"
lkvm_report() {
	sed "s/^/$1| /" "./$1.out"
	[ -f "./$1.err" ] && sed "s/^/$1| /" "./$1.err"
	if [ -n "${3:-}" ]; then
		cs=$(($(uptime_cs) - $3))
		printf '%s| seconds=%d.%02d\n' "$1" $((cs / 100)) $((cs % 100))
	fi
	echo "$1| status=$2"
}

# run_lkvm TAG ARGS...: runs lkvm ARGS (stdin at EOF: /dev/null; under $LKVM_PREFIX if set, e.g. "taskset -c 3"),
# then prints its output (stdout and stderr) as "TAG| ..." lines, "TAG| seconds=S.CC" and "TAG| status=N"
run_lkvm() {
	tag=$1
	shift
	t0=$(uptime_cs)
	# shellcheck disable=SC2086
	timeout 240 ${LKVM_PREFIX:-} "$LKVM" "$@" </dev/null >"./$tag.out" 2>&1
	lkvm_report "$tag" $? "$t0"
}

# vcpu_affinity PID: prints "vcpuN=CPULIST" for each vcpu thread of PID (from /proc/PID/task/*/status)
vcpu_affinity() {
	for st in /proc/"$1"/task/*/status; do
		name=$(sed -n 's/^Name:[[:space:]]*//p' "$st")
		case $name in vcpu*) echo "$name=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$st")" ;; esac
	done
}

# run_lkvm_watch TAG ARGS...: as run_lkvm, and while the VM runs prints "TAG| affinity vcpuN=CPULIST" for its vcpu threads
run_lkvm_watch() {
	tag=$1
	shift
	timeout 240 "$LKVM" "$@" </dev/null >"./$tag.out" 2>&1 &
	pid=$!
	seen=
	while kill -0 "$pid" 2>/dev/null; do
		seen=$(vcpu_affinity "$pid")
		[ -n "$seen" ] && break
		usleep 100000
	done
	wait "$pid"
	rc=$?
	sed "s/^/$tag| /" "./$tag.out"
	for a in $seen; do echo "$tag| affinity $a"; done
	echo "$tag| status=$rc"
}

# disk_report TAG IMG: what lkvm's host sees in the ext4 image IMG once the VM is gone, as "TAG| image ..." lines:
# ext4's needs_recovery flag (1: the guest left its journal unflushed), then, mounted read-only on a loop device,
# hello.txt and the md5 of data.bin (what rootfs.ext4's /init writes)
disk_report() {
	incompat=$(od -An -tu1 -j 1120 -N 1 "$2" | tr -d ' ')
	echo "$1| image needs_recovery=$((incompat >> 2 & 1))"
	mkdir -p ./mnt
	if mount -t ext4 -o ro,loop "$2" ./mnt; then
		echo "$1| image hello.txt=$(cat ./mnt/hello.txt 2>&1)"
		echo "$1| image data.bin md5=$(md5sum <./mnt/data.bin | cut -d' ' -f1)"
		umount ./mnt
	else
		echo "$1| image: cannot mount $2"
	fi
}
