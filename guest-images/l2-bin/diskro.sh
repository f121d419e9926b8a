#!/bin/sh
# diskro: l2.run word for lkvm -d IMG,ro: /dev/vda should be read-only (sysfs ro=1), refuse a write, and still read
# (rootfs.ext4 mounts read-only and has /init).
ro=$(cat /sys/block/vda/ro 2>/dev/null)
if echo "must not land" | dd of=/dev/vda bs=512 seek=64 count=1 conv=sync,notrunc,fsync 2>/dev/null; then
	write=accepted
else
	write=refused
fi
read=failed
mkdir -p /mnt
if mount -t ext4 -o ro /dev/vda /mnt; then
	[ -x /mnt/init ] && read=ok
	umount /mnt
fi
echo "L2: diskro ro=${ro:-none} write=$write read=$read"
