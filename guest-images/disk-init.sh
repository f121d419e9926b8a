#!/bin/sh
# disk-init.sh: /init of rootfs.ext4, L2's root on virtio-blk once l2-init.sh's diskroot has switch_rooted to it.
# Prints "DISK:" markers; writes /hello.txt and 1 MiB of random /data.bin, syncs, reads data.bin back past the page
# cache, remounts / read-only (a clean file system for the host to check) and powers off.
[ -e /proc/mounts ] || mount -t proc proc /proc
[ -d /sys/block ] || mount -t sysfs sys /sys
[ -e /dev/null ] || mount -t devtmpfs dev /dev
echo "DISK: init reached, root=$(awk '$2 == "/" { r = $1 " " $3 } END { print r }' /proc/mounts)"

echo "hello from L2 on virtio-blk" >/hello.txt
head -c 1048576 /dev/urandom >/data.bin
sync
echo "DISK: wrote data.bin md5=$(md5sum </data.bin | cut -d' ' -f1)"
echo 3 >/proc/sys/vm/drop_caches
echo "DISK: reread data.bin md5=$(md5sum </data.bin | cut -d' ' -f1)"
mount -o remount,ro / && echo "DISK: / remounted read-only"
echo "DISK: powering off"
poweroff -f
