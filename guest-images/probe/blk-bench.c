/* blk-bench.c: sequential write/read MB/s and 4 KiB random-read IOPS on a block device, as "BENCH: blk.NAME VALUE" lines. */
/*
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o blk-bench blk-bench.c
 * usage: blk-bench DEVICE [MIB]     (default 32 MiB; DEVICE's contents there are overwritten)
 *
 * All I/O is synchronous (queue depth 1) and O_DIRECT, so the guest's page cache is out of the way; where the
 * device refuses O_DIRECT it is buffered, with the guest's caches dropped before each read phase ("direct=0").
 *   BLK-BENCH: dev=DEVICE size_mib=N direct=0|1 block_kib=K
 *   BENCH: blk.seq_write_MBps V     MIB MiB in BLOCK-sized pwrite()s from offset 0, then fdatasync()
 *   BENCH: blk.seq_read_MBps V      the same range in BLOCK-sized pread()s
 *   BENCH: blk.rand_read_iops V     4 KiB pread()s at random 4 KiB-aligned offsets of the range, for RAND_NS
 * MB is 10^6 bytes. Exit status: 0, or 1 on an I/O error.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1024 * 1024)
#define SMALL 4096
#define RAND_NS 2000000000LL

static int direct = 1;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void drop_caches(int fd)
{
	int f;

	if (direct)
		return;
	ioctl(fd, BLKFLSBUF, 0);
	f = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (f >= 0) {
		if (write(f, "3\n", 2) < 0)
			perror("blk-bench: drop_caches");
		close(f);
	}
}

static int fail(const char *what)
{
	printf("BLK-BENCH: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 32, size, dev_size = 0, ops = 0, x = 88172645463325252ULL;
	int64_t t;
	char *buf;
	int fd;

	if (argc < 2 || argc > 3 || !mib) {
		fprintf(stderr, "usage: blk-bench DEVICE [MIB]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		direct = 0;
		fd = open(argv[1], O_RDWR);
	}
	if (fd < 0)
		return fail(argv[1]);
	if (ioctl(fd, BLKGETSIZE64, &dev_size))
		return fail("BLKGETSIZE64");
	size = mib * 1024 * 1024;
	if (size > dev_size)
		size = dev_size / BLOCK * BLOCK;
	if (size < BLOCK || posix_memalign((void **)&buf, 4096, BLOCK)) {
		printf("BLK-BENCH: %s is too small (%llu bytes)\n", argv[1], (unsigned long long)dev_size);
		return 1;
	}
	for (int i = 0; i < BLOCK; i++)
		buf[i] = (char)(i * 7 + 1);	/* not zeroes: nothing downstream can skip them */
	printf("BLK-BENCH: dev=%s size_mib=%llu direct=%d block_kib=%d\n", argv[1],
	       (unsigned long long)(size >> 20), direct, BLOCK / 1024);
	fflush(stdout);

	t = now_ns();
	for (uint64_t off = 0; off < size; off += BLOCK)
		if (pwrite(fd, buf, BLOCK, (off_t)off) != BLOCK)
			return fail("pwrite");
	if (fdatasync(fd))
		return fail("fdatasync");
	t = now_ns() - t;
	printf("BENCH: blk.seq_write_MBps %.1f\n", (double)size * 1e3 / (double)t);
	fflush(stdout);

	drop_caches(fd);
	t = now_ns();
	for (uint64_t off = 0; off < size; off += BLOCK)
		if (pread(fd, buf, BLOCK, (off_t)off) != BLOCK)
			return fail("pread");
	t = now_ns() - t;
	printf("BENCH: blk.seq_read_MBps %.1f\n", (double)size * 1e3 / (double)t);
	fflush(stdout);

	drop_caches(fd);
	t = now_ns();
	do {
		for (int i = 0; i < 16; i++) {
			/* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, SMALL, (off_t)(x % (size / SMALL) * SMALL)) != SMALL)
				return fail("pread 4 KiB");
		}
		ops += 16;
	} while (now_ns() - t < RAND_NS);
	t = now_ns() - t;
	printf("BENCH: blk.rand_read_iops %.0f\n", (double)ops * 1e9 / (double)t);
	close(fd);
	return 0;
}
