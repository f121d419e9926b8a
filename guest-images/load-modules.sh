#!/bin/sh
# load-modules: /bin/load-modules of the L1 and L2 initramfs: insmods /lib/modules/NAME.ko for each NAME of
# /lib/modules/load-order (dependencies first, as build.sh wrote it) and prints "loaded=N/TOTAL".
loaded=0
total=0
for m in $(cat /lib/modules/load-order); do
	total=$((total + 1))
	insmod "/lib/modules/$m.ko" && loaded=$((loaded + 1))
done
echo "loaded=$loaded/$total"
