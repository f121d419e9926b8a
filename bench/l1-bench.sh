# l1-bench.sh: bench/run.sh's script for L1 (or the native host), after l1-prelude.sh: RUNS rounds of timed lkvm runs.
# shellcheck shell=sh
#
# Prints "BENCH: NAME VALUE" (one sample of a figure), "BENCH-HOST: KEY VALUE" (facts about the host),
# "BENCH-NA: NAME WHY" (a figure that could not be measured) and "BENCH-FAIL: TAG WHY" (a broken run).
# Environment: LKVM, L2_KERNEL, L2_INITRD (l1-init.sh or boot_native); RUNS (run.sh puts it in front of this file);
# lkvm-timed and pmu-bench on PATH. Each round runs, in this order, so that slow drift spreads over all figures:
#   version       lkvm version (no VM)
#   boot1, boot2  l2.run=none with 1 and 2 vcpus, under --debug: startup and boot times
#   foot1, foot4  quiet, l2.run=bench-idle with 1 and 4 vcpus: lkvm's memory while the guest idles; quiet boot times
#   host, work    pmu-bench on the host CPU, then a --pmu VM pinned there running l2.run=bench (disk, consoles, PMU)

: "${RUNS:=3}"
MEM=128		# guest RAM (MiB) of the boot and footprint VMs
WORK_MEM=256	# guest RAM of the workload VM
DISK_MIB=64	# its scratch disk, in this directory (L1: the initramfs, i.e. RAM)

# lt FILE FIELD: the value of FIELD= in lkvm-timed's report FILE (the first line having it)
lt() { sed -n "s/^LT .* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

# ms US: microseconds as milliseconds; nothing for a negative or empty value (a time that never came)
ms() { awk -v u="$1" 'BEGIN { if (u != "" && u >= 0) printf "%.2f\n", u / 1000 }'; }

# emit NAME VALUE: one sample; nothing when VALUE is empty
emit() { [ -z "$2" ] || echo "BENCH: $1 $2"; }

# timed TAG LKVM-TIMED-ARGS...: runs lkvm-timed -o TAG.out with the arguments (ending in -- "$LKVM" run ...), its
# report in TAG.lt; returns 1 after a BENCH-FAIL line and lkvm's last lines when lkvm did not exit 0
timed() {
	tag=$1
	shift
	lkvm-timed -o "$tag.out" "$@" </dev/null >"$tag.lt" 2>&1
	st=$(lt "$tag.lt" status)
	[ "$st" = 0 ] && return 0
	echo "BENCH-FAIL: $tag: lkvm exit status ${st:-unknown}"
	sed "s/^/$tag| /" "$tag.lt"
	tail -n 20 "$tag.out" | tr -d '\r' | sed "s/^/$tag| /"
	return 1
}

# host_facts: what the report says about the machine lkvm runs on
host_facts() {
	echo "BENCH-HOST: kernel $(uname -r)"
	echo "BENCH-HOST: cpus $(nproc)"
	echo "BENCH-HOST: midr $(cat /sys/devices/system/cpu/cpu0/regs/identification/midr_el1 2>/dev/null || echo unknown)"
	echo "BENCH-HOST: disk_fs $(stat -f -c %T .)"
	echo "BENCH-HOST: perf_user_access $(cat /proc/sys/kernel/perf_user_access 2>/dev/null || echo none)"
	echo "BENCH-HOST: lkvm $("$LKVM" version)"
	echo "BENCH-HOST: bench_cpu $CPU"
}

# version_run ROUND: exec -> exit of `lkvm version`, what running the static binary at all costs
version_run() {
	timed "version-$1" -- "$LKVM" version || return 0
	emit startup.lkvm_version_ms "$(ms "$(lt "version-$1.lt" end_us)")"
}

# boot_run ROUND VCPUS: exec -> first KVM_RUN / first console byte (1 vcpu) and exec -> /init, -> exit
boot_run() {
	tag=boot$2-$1
	timed "$tag" -m "L2: init reached" -m "L2: done" -- \
		"$LKVM" run --debug -k "$L2_KERNEL" -i "$L2_INITRD" -c "$2" -m "$MEM" -p "l2.run=none" || return 0
	init=$(lt "$tag.lt" mark1_us)
	last=$(lt "$tag.lt" mark2_us)
	end=$(lt "$tag.lt" end_us)
	if [ "$init" -lt 0 ] || [ "$last" -lt 0 ]; then
		echo "BENCH-FAIL: $tag: no 'L2: init reached' or 'L2: done' line"
		return 0
	fi
	if [ "$2" = 1 ]; then
		kvm_run=$(lt "$tag.lt" kvm_run_us)
		emit startup.first_kvm_run_ms "$(ms "$kvm_run")"
		[ "$kvm_run" -ge 0 ] ||
			echo "BENCH-NA: startup.first_kvm_run_ms lkvm --debug printed no 'vcpu 0: first KVM_RUN at' line"
		emit startup.vcpu0_thread_ms "$(ms "$(lt "$tag.lt" vcpu0_us)")"
		emit startup.first_console_byte_ms "$(ms "$(lt "$tag.lt" first_out_us)")"
		emit boot.console_bytes "$(lt "$tag.lt" out_bytes)"
	fi
	emit "boot.${2}vcpu.init_ms" "$(ms "$init")"
	emit "boot.${2}vcpu.exit_ms" "$(ms "$end")"
	emit "boot.${2}vcpu.poweroff_ms" "$(ms $((end - last)))"
}

# foot_run ROUND VCPUS: lkvm's memory apart from guest RAM, a second after the idle guest said so; and, the kernel
# being quiet, exec -> /init without the boot log on the console
foot_run() {
	tag=foot$2-$1
	timed "$tag" -m "L2: init reached" -s "L2: bench idle" -S 1000 -M "$MEM" -- \
		"$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" -c "$2" -m "$MEM" -p "quiet l2.run=bench-idle" || return 0
	if ! grep -q '^LT mem ' "$tag.lt"; then
		echo "BENCH-FAIL: $tag: no memory sample (no 'L2: bench idle' line?)"
		return 0
	fi
	emit "boot.${2}vcpu_quiet.init_ms" "$(ms "$(lt "$tag.lt" mark1_us)")"
	emit "footprint.${2}vcpu.own_rss_kib" "$(lt "$tag.lt" own_rss_kb)"
	emit "footprint.${2}vcpu.own_anon_kib" "$(lt "$tag.lt" own_anon_kb)"
	guest_kb=$(lt "$tag.lt" guest_rss_kb)
	emit "footprint.${2}vcpu.guest_rss_mib" "$(awk -v k="$guest_kb" 'BEGIN { if (k >= 0) printf "%.1f\n", k / 1024 }')"
	emit "footprint.${2}vcpu.threads" "$(lt "$tag.lt" threads)"
}

# na_lines WHERE FILE: pmu-bench's "unavailable" lines in FILE as BENCH-NA lines
na_lines() { tr -d '\r' <"$2" | sed -n "s/^PMU-BENCH: \([a-z_]*\) unavailable: /BENCH-NA: pmu.$1.\1 /p"; }

# work_run ROUND: pmu-bench on the host CPU, then the workload VM on that CPU (block I/O, consoles, PMU)
work_run() {
	tag=work-$1
	taskset -c "$CPU" pmu-bench host >"host-$1.txt" 2>&1 ||
		echo "BENCH-FAIL: host-$1: pmu-bench failed: $(tail -n 1 "host-$1.txt")"
	grep '^BENCH: ' "host-$1.txt"
	na_lines host "host-$1.txt"
	timed "$tag" -d SER: -d HVC: -- "$LKVM" run -k "$L2_KERNEL" -i "$L2_INITRD" --pmu --vcpu-affinity "$CPU" -c 1 \
		-m "$WORK_MEM" --console virtio -d disk.img -p "quiet l2.run=bench" || return 0
	tr -d '\r' <"$tag.out" | grep -a '^BENCH: '
	na_lines guest "$tag.out"
	grep -aq '^L2: bench exit=0' "$tag.out" ||
		echo "BENCH-FAIL: $tag: $(tr -d '\r' <"$tag.out" |
			grep -a -m 1 -E '^(L2: bench exit|BLK-BENCH: .*: |CONS-BENCH: .*: )' || echo 'no L2: bench exit line')"
	for p in SER:serial HVC:virtio; do
		got=$(sed -n "s/^LT drop .* prefix=${p%%:*}: bytes=\([0-9]*\).*/\1/p" "$tag.lt")
		sent=$(tr -d '\r' <"$tag.out" | sed -n "s/^CONS-BENCH: ${p#*:} bytes=//p")
		[ "$got" = "$sent" ] ||
			echo "BENCH-NOTE: $tag: ${p#*:} console: guest wrote ${sent:-?} payload bytes, lkvm's stdout had ${got:-?}"
	done
}

CPU=$(sed 's/.*[-,]//' /sys/devices/system/cpu/online)
host_facts
dd if=/dev/zero of=disk.img bs=1048576 count="$DISK_MIB" 2>/dev/null
i=1
while [ "$i" -le "$RUNS" ]; do
	echo "BENCH-PROGRESS: round $i of $RUNS"
	version_run "$i"
	boot_run "$i" 1
	boot_run "$i" 2
	foot_run "$i" 1
	foot_run "$i" 4
	work_run "$i"
	i=$((i + 1))
done
echo "BENCH-HOST: guest_kernel $(tr -d '\r' <boot1-1.out | sed -n 's/.*Linux version \([^ ]*\).*/\1/p' | head -n 1)"
echo "BENCH-PROGRESS: done"
