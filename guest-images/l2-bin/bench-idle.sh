#!/bin/sh
# bench-idle: l2.run word of bench/run.sh's footprint VMs: prints "L2: bench idle", then idles 3 s while the host
# samples lkvm's memory.
echo "L2: bench idle"
sleep 3
