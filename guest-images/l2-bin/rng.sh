#!/bin/sh
# rng: l2.run word for lkvm --rng: names the current hw_random source and reads 64 bytes from /dev/hwrng (and 16 as hex).
cur=$(cat /sys/devices/virtual/misc/hw_random/rng_current 2>/dev/null)
bytes=$(timeout 10 head -c 64 /dev/hwrng | wc -c)
sample=$(timeout 10 head -c 16 /dev/hwrng | od -An -tx1 | tr -d ' \n')
echo "L2: rng current=${cur:-none} bytes=$bytes sample=${sample:-none}"
