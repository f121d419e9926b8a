# t_negative.sh: lkvm rejects bad invocations (missing/garbage/directory kernel, missing initrd, -c 0, huge -m, unknown
# option, missing disk, unknown console, a GICv2 the host cannot emulate): status != 0, one "  Fatal: " line.
boot_l1 --smp 2 <<'SCRIPT'
# neg NAME ARGS...: runs lkvm ARGS, reports its exit status, its number of stderr lines and the first one
neg() {
	name=$1
	shift
	timeout 60 "$LKVM" "$@" >neg.out 2>neg.err
	echo "NEG $name status=$? lines=$(wc -l <neg.err) err=$(head -n 1 neg.err)"
}
echo "this is not a kernel" >text-kernel
gzip -c "$LKVM" >gzip-kernel
neg missing-kernel run -k /nonexistent/Image -c 1 -m 64
neg text-kernel run -k text-kernel -c 1 -m 64
neg gzip-kernel run -k gzip-kernel -c 1 -m 64
neg zero-cpus run -k "$L2_KERNEL" -c 0 -m 64
neg huge-memory run -k "$L2_KERNEL" -c 1 -m 999999999
neg unknown-option run --no-such-option -k "$L2_KERNEL"
neg missing-disk run -k "$L2_KERNEL" -c 1 -m 64 -d /nonexistent/disk.img
neg bad-console run -k "$L2_KERNEL" -c 1 -m 64 --console ttyS0
neg dir-kernel run -k / -c 1 -m 64
neg missing-initrd run -k "$L2_KERNEL" -i /nonexistent/initrd -c 1 -m 64
neg gicv2 run -k "$L2_KERNEL" -c 1 -m 64 --irqchip gicv2
SCRIPT
bad=
for case in missing-kernel text-kernel gzip-kernel zero-cpus huge-memory unknown-option missing-disk bad-console \
	dir-kernel missing-initrd gicv2; do
	got=$(grep -a -m 1 "^NEG $case " "$OUT")
	echo "$got" | grep -Eq "^NEG $case status=[1-9][0-9]* lines=1 err=  Fatal: [^ ]" ||
		bad="$bad; $case gave ${got:-nothing}"
done
[ -z "$bad" ] || fail "want status != 0 and one '  Fatal: ...' line on stderr${bad}"
expect '^NEG gicv2 .*Fatal: cannot create the in-kernel GIC' "--irqchip gicv2 refused naming the GIC"
expect '^NEG huge-memory .*Fatal: --mem 999999999 MiB is more than the host' "-m 999999999 refused naming the memory"
