#!/bin/sh
# load-modules: /bin/load-modules of the L1 and L2 initramfs: insmods /lib/modules/NAME.ko for each NAME of
# /lib/modules/load-order (dependencies first, as build.sh wrote it) and prints "loaded=N/TOTAL". Modules built for
# another kernel than the running one (L1 on an l1-Image-SUITE kernel) are not tried: "loaded=0/TOTAL (built for R)".
kernel=$(uname -r)
built=
loaded=0
total=0
while read -r m; do
	total=$((total + 1))
	# They all come from one kernel tree: the first one's vermagic (its release first) tells which.
	[ -n "$built" ] || built=$(tr '\0' '\n' <"/lib/modules/$m.ko" | sed -n 's/^vermagic=\([^ ]*\).*/\1/p')
	if [ -z "$built" ] || [ "$built" = "$kernel" ]; then
		insmod "/lib/modules/$m.ko" && loaded=$((loaded + 1))
	fi
done </lib/modules/load-order
if [ -n "$built" ] && [ "$built" != "$kernel" ]; then
	echo "loaded=$loaded/$total (built for $built)"
else
	echo "loaded=$loaded/$total"
fi
