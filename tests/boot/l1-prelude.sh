# l1-prelude.sh: shell helpers put in front of every boot test's /test.sh (run in L1, or natively on arm64).

# run_lkvm TAG ARGS...: runs lkvm ARGS (stdin closed; under $LKVM_PREFIX if set, e.g. "taskset -c 3"),
# then prints its output as "TAG| ..." lines and "TAG| status=N"
run_lkvm() {
	tag=$1
	shift
	# shellcheck disable=SC2086
	timeout 240 ${LKVM_PREFIX:-} "$LKVM" "$@" </dev/null >"./$tag.out" 2>&1
	rc=$?
	sed "s/^/$tag| /" "./$tag.out"
	echo "$tag| status=$rc"
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
