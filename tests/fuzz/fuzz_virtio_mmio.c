/* fuzz_virtio_mmio.c: libFuzzer harness driving virtio-mmio with blk/console/rng as a hostile guest driver would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/virtio.h"
#include "vmm/log.h"

/*
 * Input: byte 0 picks the device (blk, blk read-only, console, rng), the
 * rest is a script of guest actions, each an opcode byte and its operands:
 *   0 off16 val32      MMIO write of a transport register or config byte
 *   1 off16 len8       MMIO read
 *   2 off16 n8 bytes   store n bytes into guest RAM at off
 *   3 n8 bytes         host console input
 *   4                  the whole driver start sequence, rings at fixed places
 *   5 q8               QueueNotify q
 *   6 q8 n8 n*(off16 len16 w8)   a chain of n buffers at RAM+off on queue q's
 *                      fixed rings (as op 4 placed them), offered and kicked
 * so a well-behaved start, real requests and any register order are all a
 * few bytes away.
 */
#define RAM_GPA		0x10000ULL
#define RAM_SIZE	0x10000ULL
#define DISK_SECTORS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct input {
	const uint8_t *p;
	size_t left;
};

/* The driver side of op 6: where the next descriptor and available entry go. */
struct driver {
	uint16_t next_desc[4], avail_idx[4];
};

#define QSIZE		16
#define RING_STRIDE	0x3000

static char disk_path[64], disk_ro_path[80];

static void no_irq(void *ctx, unsigned spi, int level)
{
	(void)ctx;
	(void)spi;
	(void)level;
}

static void no_out(void *ctx, const uint8_t *buf, size_t len)
{
	volatile uint8_t sink = 0;
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++)	/* read it all, as a terminal write would */
		sink ^= buf[i];
	(void)sink;
}

static void no_ready(void *ctx)
{
	(void)ctx;
}

static int no_fd(void *ctx, uint64_t addr, uint32_t match, struct err *e)
{
	(void)ctx;
	(void)addr;
	(void)match;
	(void)e;
	return -ENOTSUP;
}

static int no_irqfd(void *ctx, unsigned spi, struct err *e)
{
	(void)ctx;
	(void)spi;
	(void)e;
	return -ENOTSUP;
}

static int no_watch(void *ctx, int fd, void (*cb)(void *arg), void *arg, struct err *e)
{
	(void)ctx;
	(void)fd;
	(void)cb;
	(void)arg;
	(void)e;
	return 0;
}

static void no_exit(void *ctx, int status)
{
	(void)ctx;
	(void)status;
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfd_create("fuzz-disk", 0);

	(void)argc;
	(void)argv;
	if (fd < 0 || ftruncate(fd, DISK_SECTORS * 512))
		abort();
	snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d", fd);
	snprintf(disk_ro_path, sizeof(disk_ro_path), "%s,ro", disk_path);
	log_set_level(LOG_ERROR);
	return 0;
}

static bool take(struct input *in, void *dst, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(dst, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static void mmio(struct device *dev, uint64_t off, void *data, unsigned len, bool is_write)
{
	pthread_mutex_lock(&dev->lock);
	dev->ops->mmio(dev, off, data, len, is_write);
	pthread_mutex_unlock(&dev->lock);
}

static void wr(struct device *dev, uint64_t off, uint32_t v)
{
	mmio(dev, off, &v, 4, true);
}

/* Status, all offered features, every queue (QSIZE, rings RING_STRIDE apart), DRIVER_OK. */
static void driver_start(struct device *dev, unsigned nr_queues)
{
	uint32_t lo = 0, hi = 0;
	unsigned q;

	wr(dev, 0x070, 0);
	wr(dev, 0x070, 3);
	wr(dev, 0x014, 0);
	mmio(dev, 0x010, &lo, 4, false);
	wr(dev, 0x014, 1);
	mmio(dev, 0x010, &hi, 4, false);
	wr(dev, 0x024, 0);
	wr(dev, 0x020, lo);
	wr(dev, 0x024, 1);
	wr(dev, 0x020, hi);
	wr(dev, 0x070, 11);
	for (q = 0; q < nr_queues; q++) {
		uint32_t base = (uint32_t)RAM_GPA + q * RING_STRIDE;

		wr(dev, 0x030, q);
		wr(dev, 0x038, QSIZE);
		wr(dev, 0x080, base);
		wr(dev, 0x090, base + 0x1000);
		wr(dev, 0x0a0, base + 0x2000);
		wr(dev, 0x044, 1);
	}
	wr(dev, 0x070, 15);
}

static void op_ram(const struct gmem *m, struct input *in)
{
	uint16_t off;
	uint8_t n;

	if (!take(in, &off, 2) || !take(in, &n, 1) || n > in->left)
		return;
	if (off + (size_t)n > m->size)
		n = (uint8_t)(m->size - off);
	memcpy(m->host + off, in->p, n);
	in->p += n;
	in->left -= n;
}

static void op_console(struct device *dev, struct input *in)
{
	uint8_t n;
	size_t took;

	if (!take(in, &n, 1) || n > in->left)
		return;
	pthread_mutex_lock(&dev->lock);
	took = dev->ops->console_in(dev, in->p, n);
	pthread_mutex_unlock(&dev->lock);
	if (took > n)
		abort();
	in->p += n;
	in->left -= n;
}

static void put(const struct gmem *m, uint64_t off, const void *v, size_t n)
{
	memcpy(m->host + off, v, n);
}

static void op_chain(struct device *dev, const struct gmem *m, struct driver *d, struct input *in)
{
	uint8_t q, n, w;
	uint16_t i, off, len, head;
	uint64_t ring;

	if (!take(in, &q, 1) || !take(in, &n, 1))
		return;
	q %= 4;
	ring = (uint64_t)q * RING_STRIDE;
	head = d->next_desc[q];
	for (i = 0; i < n % (QSIZE + 1); i++) {
		uint16_t cur = d->next_desc[q], next = (cur + 1) % QSIZE;
		uint16_t flags = (i + 1 < n % (QSIZE + 1)) ? 1 : 0;
		uint64_t addr;
		uint32_t len32;

		if (!take(in, &off, 2) || !take(in, &len, 2) || !take(in, &w, 1))
			return;
		addr = RAM_GPA + off;
		len32 = len;
		flags |= (w & 1) ? 2 : 0;
		put(m, ring + cur * 16, &addr, 8);
		put(m, ring + cur * 16 + 8, &len32, 4);
		put(m, ring + cur * 16 + 12, &flags, 2);
		put(m, ring + cur * 16 + 14, &next, 2);
		d->next_desc[q] = next;
	}
	put(m, ring + 0x1000 + 4 + (d->avail_idx[q] % QSIZE) * 2, &head, 2);
	d->avail_idx[q]++;
	put(m, ring + 0x1000 + 2, &d->avail_idx[q], 2);
	wr(dev, 0x050, q);
}

static void step(struct device *dev, const struct gmem *m, struct driver *d, unsigned nr_queues,
		 struct input *in, uint8_t op)
{
	uint8_t buf[8] = { 0 }, len, q;
	uint16_t off;
	uint32_t val;

	switch (op % 7) {
	case 0:
		if (take(in, &off, 2) && take(in, &val, 4))
			wr(dev, off % 0x200, val);
		return;
	case 1:
		if (take(in, &off, 2) && take(in, &len, 1))
			mmio(dev, off % 0x200, buf, 1u << (len % 4), false);
		return;
	case 2: op_ram(m, in); return;
	case 3: op_console(dev, in); return;
	case 4:
		driver_start(dev, nr_queues);
		*d = (struct driver){ 0 };
		return;
	case 6: op_chain(dev, m, d, in); return;
	case 5:
		if (take(in, &q, 1))
			wr(dev, 0x050, q % 4);
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct virtio_type_ops *const types[] = {
		&virtio_blk_type, &virtio_blk_type, &virtio_console_type, &virtio_rng_type,
	};
	struct gmem mem = { .gpa = RAM_GPA, .size = RAM_SIZE };
	const struct device_host host = {
		.mem = &mem, .set_irq = no_irq, .console_out = no_out, .console_ready = no_ready,
		.ioeventfd = no_fd, .irqfd = no_irqfd, .watch = no_watch, .guest_exit = no_exit,
	};
	struct input in = { data + 1, size ? size - 1 : 0 };
	struct driver drv = { 0 };
	struct device dev;
	struct err e = { 0 };
	uint8_t op, kind;

	if (!size)
		return 0;
	kind = data[0] % 4;
	mem.host = calloc(1, RAM_SIZE);	/* exactly RAM_SIZE: ASan sees any stray access */
	if (!mem.host)
		return 0;
	dev = (struct device){ .ops = &virtio_mmio_ops, .type = types[kind],
			       .arg = kind == 1 ? disk_ro_path : disk_path, .base = 0x0a000000,
			       .size = 0x200, .spi = 1, .host = &host };
	pthread_mutex_init(&dev.lock, NULL);
	if (dev.ops->init(&dev, &e))
		abort();	/* the disk is always there */
	while (take(&in, &op, 1))
		step(&dev, &mem, &drv, types[kind]->nr_queues, &in, op);
	dev.ops->teardown(&dev);
	pthread_mutex_destroy(&dev.lock);
	free(mem.host);
	return 0;
}
