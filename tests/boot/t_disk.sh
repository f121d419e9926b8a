# t_disk.sh: virtio-blk (-d). L2 switch_roots to a copy of rootfs.ext4, whose /init writes a file and 1 MiB of random
# data, syncs, reads it back past the page cache and powers off (lkvm exits 0); in L1, lkvm's host, the image is
# then clean and holds the same bytes. With -d IMG,ro the guest sees a read-only disk, its write is refused and the
# image's md5 is unchanged. Under --reboot restart, what the guest wrote to a scratch disk is there after the reset.
require_root || return 0
boot_l1 --smp 2 <<'SCRIPT'
cp "$L2_DISK" rw.img
run_lkvm rw run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -d rw.img -p "quiet l2.run=diskroot"
disk_report rw rw.img

cp "$L2_DISK" ro.img
before=$(md5sum <ro.img | cut -d' ' -f1)
run_lkvm ro run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -d ro.img,ro -p "quiet l2.run=diskro"
echo "ro| image md5 before=$before after=$(md5sum <ro.img | cut -d' ' -f1)"

dd if=/dev/zero of=scratch.img bs=1024 count=64 2>/dev/null
run_lkvm restart run -k "$L2_KERNEL" -i "$L2_INITRD" -c 1 -m 128 -d scratch.img --reboot restart --timeout 60 \
	-p "quiet l2.run=reboot-once"
echo "restart| scratch holds '$(head -c 16 scratch.img | tr -dc 0-9)'"
SCRIPT
# rw: a real root on virtio-blk, and nothing lost on the way to the image file
expect '^rw\| L2: switch_root to /dev/vda$' "L2 switching to the ext4 root"
expect '^rw\| DISK: init reached, root=/dev/vda ext4$' "rootfs.ext4's /init running with / = /dev/vda (ext4)"
wrote=$(value '^rw\| DISK: wrote data.bin md5=([0-9a-f]{32})$')
[ -n "$wrote" ] || fail "missing the guest's md5 of the data.bin it wrote"
expect_eq "data.bin's md5 read back in the guest past its page cache" "$(value '^rw\| DISK: reread data.bin md5=(.*)$')" "$wrote"
expect '^rw\| DISK: / remounted read-only$' "the guest remounting / read-only"
expect '^rw\| status=0$' "lkvm exiting 0 on the guest's power-off"
expect_eq "ext4 needs_recovery of the image after the VM" "$(value '^rw\| image needs_recovery=(.*)$')" 0
expect_eq "hello.txt in the image" "$(value '^rw\| image hello.txt=(.*)$')" "hello from L2 on virtio-blk"
expect_eq "data.bin's md5 in the image" "$(value '^rw\| image data.bin md5=(.*)$')" "$wrote"

# ro: the guest cannot write, and lkvm does not either
expect '^ro\| L2: diskro ro=1 write=refused read=ok$' "the guest seeing /dev/vda read-only (ro=1), its write refused, reads working"
expect '^ro\| status=0$' "lkvm exiting 0 with a read-only disk"
before=$(value '^ro\| image md5 before=([0-9a-f]+) ')
expect_eq "the read-only image's md5 after the VM" "$(value '^ro\| image md5 before=[0-9a-f]+ after=(.*)$')" "$before"

# restart: a reset boots the same VM again, the disk keeping what the guest wrote before it
expect '^restart\| L2: reboot-once boot=1$' "the first boot"
expect '^restart\| L2: reboot-once boot=2$' "a second boot, having read the first one's count from the disk"
expect_eq "L2 boots under --reboot restart" "$(count restart 'L2: init reached')" 2
expect '^restart\| status=0$' "lkvm exiting 0 when the rebooted guest powers off"
expect_eq "the scratch disk after the VM" "$(value "^restart\\| scratch holds '(.*)'$")" 1
