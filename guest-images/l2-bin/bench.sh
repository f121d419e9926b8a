#!/bin/sh
# bench: l2.run word of bench/run.sh's workload VM (lkvm run --pmu --console virtio -d DISK): block I/O on /dev/vda,
# console throughput through the 16550 (ttyS0) and virtio-console (hvc0), then PMU accuracy and cost; each program
# prints "BENCH: NAME VALUE" lines. Exits 1 if one of them failed.
rc=0
blk-bench /dev/vda 32 || rc=1
cons-bench serial /dev/ttyS0 SER: 2 || rc=1
cons-bench virtio /dev/hvc0 HVC: 2 || rc=1
pmu-bench guest || rc=1
exit "$rc"
