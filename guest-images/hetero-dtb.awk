# hetero-dtb.awk: turns QEMU virt's dts (4 CPUs, GICv3) into a big.LITTLE host: PPI partitions, one PMU per cluster.
#
# Usage: awk -f hetero-dtb.awk virt.dts virt.dts (read twice: pass 1 learns phandles and cell counts, pass 2 rewrites).
# The GIC gets #interrupt-cells = 4 and ppi-partitions (cpus 0-1, cpus 2-3); every GIC interrupt specifier gets a 4th
# cell 0 (all CPUs); QEMU's arm,armv8-pmuv3 node becomes an arm,cortex-a53-pmu on partition 0 and an arm,cortex-a72-pmu
# on partition 1. See Linux's Documentation/devicetree/bindings/interrupt-controller/arm,gic-v3.yaml.

function fail(msg) { print "hetero-dtb.awk: " msg > "/dev/stderr"; failed = 1; exit 1 }

function hex(s,    n, i) {
	s = tolower(s)
	sub(/^0x/, "", s)
	n = 0
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}

# cells(line, arr): splits the single <...> cell list of a property line into arr[1..n], returns n
function cells(line, arr) {
	if (line !~ /= <[^<>]*>;$/)
		fail("unexpected property syntax: " line)
	sub(/^[^<]*</, "", line)
	sub(/>;$/, "", line)
	return split(line, arr, " ")
}

function indent(d) { return substr("\t\t\t\t\t\t\t\t\t\t", 1, d) }

# prop(line): the property name of a property line
function prop(line) { sub(/^\t*/, "", line); sub(/[ ;].*$/, "", line); return line }

# track(): follows node opening/closing lines; sets path, depth and closing (the path a "};" line closes, else "")
function track() {
	closing = ""
	if ($0 ~ /{$/) {
		name = $0
		sub(/^\t*/, "", name)
		sub(/ {$/, "", name)
		depth++
		stack[depth] = (depth == 1) ? "" : stack[depth - 1] "/" name
		path = (depth == 1) ? "/" : stack[depth]
		return 1
	}
	if ($0 ~ /^\t*};$/) {
		closing = path
		depth--
		path = (depth <= 1) ? "/" : stack[depth]
		return 1
	}
	return 0
}

# interrupts(): appends a 0 cell (all CPUs) to each 3-cell GIC specifier of an interrupts line
function interrupts(    n, c, out, i) {
	n = cells($0, c)
	if (n % 3)
		fail("interrupts of " path " is not a list of 3-cell specifiers")
	out = ""
	for (i = 1; i <= n; i += 3)
		out = out " " c[i] " " c[i + 1] " " c[i + 2] " 0x00"
	sub(/<.*$/, "<" substr(out, 2) ">;")
}

# interrupt_map(): appends a 0 cell to the GIC specifier of each interrupt-map entry (child unit, phandle, parent unit, spec)
function interrupt_map(    n, c, child, out, i, j) {
	n = cells($0, c)
	child = acells[path] + icells[path]
	out = ""
	for (i = 1; i <= n; ) {
		for (j = 0; j < child; j++)
			out = out " " c[i++]
		if (c[i] != gic)
			fail("interrupt-map of " path " maps to a non-GIC parent")
		out = out " " c[i++]
		for (j = 0; j < acells[gicpath] + 3; j++)
			out = out " " c[i++]
		out = out " 0x00"
	}
	if (i != n + 1)
		fail("interrupt-map of " path " has a truncated entry")
	sub(/<.*$/, "<" substr(out, 2) ">;")
}

NR == FNR {
	if (track())
		next
	p = prop($0)
	if (p == "phandle") {
		cells($0, c)
		ph[path] = c[1]
		phpath[c[1]] = path
		if (hex(c[1]) > maxph)
			maxph = hex(c[1])
	} else if (p == "#address-cells") {
		cells($0, c)
		acells[path] = hex(c[1])
	} else if (p == "#interrupt-cells") {
		cells($0, c)
		icells[path] = hex(c[1])
	} else if (p == "interrupt-controller") {
		nctrl++
		ctrl = path
	} else if (p == "interrupt-parent") {
		cells($0, c)
		if (path == "/")
			gic = c[1]
		else
			parents[c[1]] = 1
	} else if (p == "interrupts-extended") {
		fail("interrupts-extended is not supported (" path ")")
	} else if (p == "compatible" && $0 ~ /"arm,armv8-pmuv3"/) {
		pmu = path
	} else if (p == "interrupts") {
		irqline[path] = $0
	}
	if (path ~ /^\/cpus\/cpu@[0-9a-f]+$/ && p == "phandle") {
		cpu = path
		sub(/^.*@/, "", cpu)
		cpuph[hex(cpu)] = ph[path]
	}
	next
}

FNR == 1 {
	gicpath = phpath[gic]
	if (gicpath == "" || nctrl != 1 || ctrl != gicpath || icells[gicpath] != 3)
		fail("expected a single 3-cell interrupt controller as the root's interrupt-parent")
	for (q in parents)
		if (q != gic)
			fail("an interrupt-parent other than the GIC")
	if (pmu == "" || irqline[pmu] == "")
		fail("no arm,armv8-pmuv3 node with interrupts")
	for (i = 0; i < 4; i++)
		if (cpuph[i] == "")
			fail("cpu@" i " missing or without phandle")
	part[0] = sprintf("0x%x", maxph + 1)
	part[1] = sprintf("0x%x", maxph + 2)
	depth = 0
}

{
	opened = track()
	if (closing == pmu) {	# QEMU's PMU node is dropped, replaced by the two cluster PMUs
		n = cells(irqline[pmu], c)
		if (n != 3)
			fail("PMU node has more than one interrupt")
		split("arm,cortex-a53-pmu arm,cortex-a72-pmu", model, " ")
		for (i = 0; i < 2; i++) {
			printf "%s%spmu-%s {\n", (i ? "\n" : ""), indent(depth), substr(model[i + 1], 12, 3)
			printf "%scompatible = \"%s\";\n", indent(depth + 1), model[i + 1]
			printf "%sinterrupts = <%s %s %s %s>;\n", indent(depth + 1), c[1], c[2], c[3], part[i]
			printf "%s};\n", indent(depth)
		}
		next
	}
	if (path == pmu)
		next
	if (closing == gicpath) {
		d = depth + 1
		print indent(d) "ppi-partitions {"
		for (i = 0; i < 2; i++) {
			print indent(d + 1) "interrupt-partition-" i " {"
			print indent(d + 2) "affinity = <" cpuph[2 * i] " " cpuph[2 * i + 1] ">;"
			print indent(d + 2) "phandle = <" part[i] ">;"
			print indent(d + 1) "};"
		}
		print indent(d) "};"
	}
	if (opened) {
		print
		next
	}
	p = prop($0)
	if (p == "#interrupt-cells" && path == gicpath)
		sub(/<0x0*3>/, "<0x04>")
	else if (p == "interrupts")
		interrupts()
	else if (p == "interrupt-map")
		interrupt_map()
	print
}

END {
	if (!failed && depth != 0)
		fail("unbalanced braces")
}
