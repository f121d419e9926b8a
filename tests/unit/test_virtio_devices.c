/* test_virtio_devices.c: drives virtio blk/console/rng/net through the virtio-mmio transport as a guest driver would. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/virtio.h"
#include "tests/unit/fixture.h"
#include "tests/unit/vring.h"
#include "vmm/log.h"

/* virtio-mmio registers (virtio 1.2, 4.2.2). */
enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
	R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014,
	R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
	R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
	R_QUEUE_DESC_LO = 0x080, R_QUEUE_DESC_HI = 0x084,
	R_QUEUE_DRIVER_LO = 0x090, R_QUEUE_DRIVER_HI = 0x094,
	R_QUEUE_DEVICE_LO = 0x0a0, R_QUEUE_DEVICE_HI = 0x0a4,
	R_CONFIG = 0x100,
};

#define DEV_BASE	0x0a000000ULL
#define DEV_SPI		9
#define QSIZE		64

#define BLK_F_SEG_MAX	(1u << 2)
#define BLK_F_RO	(1u << 5)
#define BLK_F_BLK_SIZE	(1u << 6)
#define BLK_F_FLUSH	(1u << 9)
#define BLK_T_IN	0
#define BLK_T_OUT	1
#define BLK_T_FLUSH	4
#define BLK_T_GET_ID	8
#define BLK_T_DISCARD	11
#define BLK_S_OK	0
#define BLK_S_IOERR	1
#define BLK_S_UNSUPP	2

#define NSECT		16		/* test image: 16 sectors */
#define HDR_GPA		GUEST_DATA_GPA
#define DATA_GPA	(GUEST_DATA_GPA + 0x1000)
#define STATUS_GPA	(GUEST_DATA_GPA + 0x20000)
#define DATA2_GPA	(GUEST_DATA_GPA + 0x30000)

/* What the fake VMM saw of the device. */
struct host_log {
	unsigned irq_pulses;
	int irq_level;
	uint8_t out[256];
	size_t out_len;
	unsigned console_ready;
	unsigned nr_watches;
	int watch_fd;
	void (*watch_cb)(void *arg);
	void *watch_arg;
};

static struct gmem mem;
static struct host_log hl;
static struct device dev;
static struct err e;
static struct fixture fx;
static struct fake_vq fq[2];
static char image[300];

static void h_set_irq(void *ctx, unsigned spi, int level)
{
	(void)ctx;
	ck_assert_uint_eq(spi, DEV_SPI);
	if (level && !hl.irq_level)
		hl.irq_pulses++;
	hl.irq_level = level;
}

static void h_console_out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	ck_assert_uint_le(hl.out_len + len, sizeof(hl.out));
	memcpy(hl.out + hl.out_len, buf, len);
	hl.out_len += len;
}

static void h_console_ready(void *ctx)
{
	(void)ctx;
	hl.console_ready++;
}

/* No KVM here: kicks arrive as QueueNotify writes, interrupts as set_irq() pulses. */
static int h_ioeventfd(void *ctx, uint64_t addr, uint32_t match, struct err *err)
{
	(void)ctx;
	(void)addr;
	(void)match;
	(void)err;
	return -ENOTSUP;
}

static int h_irqfd(void *ctx, unsigned spi, struct err *err)
{
	(void)ctx;
	(void)spi;
	(void)err;
	return -ENOTSUP;
}

static int h_watch(void *ctx, int fd, void (*cb)(void *arg), void *arg, struct err *err)
{
	(void)ctx;
	(void)err;
	hl.nr_watches++;
	hl.watch_fd = fd;
	hl.watch_cb = cb;
	hl.watch_arg = arg;
	return 0;
}

static void h_guest_exit(void *ctx, int status)
{
	(void)ctx;
	ck_abort_msg("virtio device asked for guest exit %d", status);
}

static const struct device_host host = {
	.ctx = &hl, .mem = &mem, .set_irq = h_set_irq, .console_out = h_console_out,
	.console_ready = h_console_ready, .ioeventfd = h_ioeventfd, .irqfd = h_irqfd,
	.watch = h_watch, .guest_exit = h_guest_exit,
};

/* A guest access, with the device lock held as the VMM's vcpu threads do. */
static void mmio(uint64_t off, void *data, unsigned len, bool is_write)
{
	pthread_mutex_lock(&dev.lock);
	dev.ops->mmio(&dev, off, data, len, is_write);
	pthread_mutex_unlock(&dev.lock);
}

static uint32_t rd(uint64_t off)
{
	uint32_t v = 0;

	mmio(off, &v, 4, false);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	mmio(off, &v, 4, true);
}

static uint64_t cfg_rd(uint64_t off, unsigned len)
{
	uint64_t v = 0;

	mmio(R_CONFIG + off, &v, len, false);
	return v;
}

static void setup(void)
{
	memset(&hl, 0, sizeof(hl));
	hl.watch_fd = -1;
	guest_ram_init(&mem);
	fixture_init(&fx);
}

static void teardown(void)
{
	if (dev.ops)
		dev.ops->teardown(&dev);
	guest_ram_free(&mem);
	fixture_cleanup(&fx);
}

static int dev_init(const void *type, const char *arg)
{
	dev = (struct device){ .ops = &virtio_mmio_ops, .type = type, .arg = arg,
			       .base = DEV_BASE, .size = 0x200, .spi = DEV_SPI, .host = &host };
	pthread_mutex_init(&dev.lock, NULL);
	err_clear(&e);
	return dev.ops->init(&dev, &e);
}

static void dev_open(const void *type, const char *arg)
{
	int ret = dev_init(type, arg);

	ck_assert_msg(ret == 0, "init = %d: %s", ret, e.msg);
}

static uint64_t dev_features(void)
{
	uint64_t lo, hi;

	wr(R_DEV_FEATURES_SEL, 0);
	lo = rd(R_DEV_FEATURES);
	wr(R_DEV_FEATURES_SEL, 1);
	hi = rd(R_DEV_FEATURES);
	return hi << 32 | lo;
}

static void set_driver_features(uint64_t f)
{
	wr(R_DRV_FEATURES_SEL, 0);
	wr(R_DRV_FEATURES, (uint32_t)f);
	wr(R_DRV_FEATURES_SEL, 1);
	wr(R_DRV_FEATURES, (uint32_t)(f >> 32));
}

static void setup_queue(unsigned q)
{
	fake_vq_init(&fq[q], &mem, q, QSIZE);
	wr(R_QUEUE_SEL, q);
	ck_assert_uint_eq(rd(R_QUEUE_NUM_MAX), VQ_MAX_SIZE);
	ck_assert_uint_eq(rd(R_QUEUE_READY), 0);
	wr(R_QUEUE_NUM, QSIZE);
	wr(R_QUEUE_DESC_LO, (uint32_t)fq[q].desc);
	wr(R_QUEUE_DESC_HI, (uint32_t)(fq[q].desc >> 32));
	wr(R_QUEUE_DRIVER_LO, (uint32_t)fq[q].avail);
	wr(R_QUEUE_DRIVER_HI, (uint32_t)(fq[q].avail >> 32));
	wr(R_QUEUE_DEVICE_LO, (uint32_t)fq[q].used);
	wr(R_QUEUE_DEVICE_HI, (uint32_t)(fq[q].used >> 32));
	wr(R_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(R_QUEUE_READY), 1);
}

/* The driver initialisation sequence (3.1.1), accepting every feature offered. */
static void driver_start(unsigned nr_queues)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	unsigned q;

	wr(R_STATUS, 0);
	wr(R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(R_STATUS, st);
	set_driver_features(dev_features());
	wr(R_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(R_STATUS), st | VIRTIO_STATUS_FEATURES_OK);
	for (q = 0; q < nr_queues; q++)
		setup_queue(q);
	wr(R_STATUS, st | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static bool needs_reset(void)
{
	return rd(R_STATUS) & VIRTIO_STATUS_NEEDS_RESET;
}

/* Posts a chain on queue q, kicks, and returns the used length reported for it. */
static uint32_t submit(unsigned q, const struct fake_buf *bufs, unsigned n)
{
	uint16_t before = fake_used_idx(&fq[q]);
	uint16_t head = fake_post(&fq[q], bufs, n);
	uint32_t id, len;

	wr(R_QUEUE_NOTIFY, q);
	ck_assert_uint_eq(fake_used_idx(&fq[q]), (uint16_t)(before + 1));
	fake_used_elem(&fq[q], before, &id, &len);
	ck_assert_uint_eq(id, head);
	return len;
}

/* ---- virtio-blk ---- */

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 13 + off / 512);
}

/* A test image of size bytes in the fixture directory, holding pattern(); returns its path. */
static const char *make_image(const char *name, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	size_t i;
	int fd;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < size; i++)
		buf[i] = pattern(i);
	fixture_path(&fx, name, image, sizeof(image));
	fd = open(image, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
	return image;
}

static void image_read(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void put_hdr(uint32_t type, uint64_t sector)
{
	uint8_t *h = guest_ptr(&mem, HDR_GPA, 16);

	memcpy(h, &type, 4);
	memset(h + 4, 0, 4);
	memcpy(h + 8, &sector, 8);
	*guest_ptr(&mem, STATUS_GPA, 1) = 0xee;	/* the device must overwrite it */
}

static uint8_t blk_status(void)
{
	return *guest_ptr(&mem, STATUS_GPA, 1);
}

static void blk_open_started(const char *spec)
{
	dev_open(&virtio_blk_type, spec);
	driver_start(1);
}

/* One request: header, one data buffer of len (writable for IN), status; returns the status. */
static uint8_t blk_simple(uint32_t type, uint64_t sector, uint32_t len)
{
	const struct fake_buf bufs[] = {
		{ HDR_GPA, 16, false }, { DATA_GPA, len, type != BLK_T_OUT }, { STATUS_GPA, 1, true },
	};
	uint32_t used, want = 1;
	uint8_t st;

	put_hdr(type, sector);
	used = submit(0, len ? bufs : (const struct fake_buf[]){ bufs[0], bufs[2] }, len ? 3 : 2);
	st = blk_status();
	/* Used length: the bytes written, data (IN, GET_ID) plus the status byte. */
	if (st == BLK_S_OK && type == BLK_T_IN)
		want += len;
	else if (st == BLK_S_OK && type == BLK_T_GET_ID)
		want += len < 20 ? len : 20;
	ck_assert_uint_eq(used, want);
	return st;
}

START_TEST(test_mmio_identity)
{
	dev_open(&virtio_blk_type, make_image("disk.img", NSECT * 512));
	ck_assert_uint_eq(rd(R_MAGIC), 0x74726976);
	ck_assert_uint_eq(rd(R_VERSION), 2);
	ck_assert_uint_eq(rd(R_DEVICE_ID), 2);
	ck_assert_uint_eq(rd(R_VENDOR_ID), 0x4d564b4c);
	wr(R_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(R_QUEUE_NUM_MAX), 256);
	wr(R_QUEUE_SEL, 1);	/* blk has one queue */
	ck_assert_uint_eq(rd(R_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(rd(R_STATUS), 0);
	/* Registers are 32-bit aligned words: anything else reads 0. */
	ck_assert_uint_eq(cfg_rd(R_MAGIC - R_CONFIG, 2), 0);
}
END_TEST

START_TEST(test_blk_config)
{
	dev_open(&virtio_blk_type, make_image("disk.img", NSECT * 512));
	ck_assert_uint_eq(cfg_rd(0, 8), NSECT);			/* capacity */
	ck_assert_uint_eq(cfg_rd(0, 4), NSECT);
	ck_assert_uint_eq(cfg_rd(4, 4), 0);
	ck_assert_uint_eq(cfg_rd(12, 4), VQ_MAX_SIZE - 2);	/* seg_max */
	ck_assert_uint_eq(cfg_rd(20, 4), 512);			/* blk_size */
	ck_assert_uint_eq(cfg_rd(22, 1), 0);
	ck_assert_uint_eq(cfg_rd(24, 4), 0);			/* past config_size */
	ck_assert_uint_eq(cfg_rd(20, 8), 0);			/* straddles its end */
}
END_TEST

START_TEST(test_blk_features)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint64_t f;

	dev_open(&virtio_blk_type, make_image("disk.img", NSECT * 512));
	f = dev_features();
	ck_assert_uint_eq(f, BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | 1ULL << 32);
	wr(R_DEV_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(R_DEV_FEATURES), 0);
	wr(R_STATUS, st);
	/* Without VERSION_1 (a legacy driver) FEATURES_OK does not stick. */
	set_driver_features(BLK_F_FLUSH);
	wr(R_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(R_STATUS), st);
	/* Nor with a bit the device did not offer. */
	set_driver_features(f | BLK_F_RO);
	wr(R_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(R_STATUS), st);
	set_driver_features(f);
	wr(R_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(R_STATUS), st | VIRTIO_STATUS_FEATURES_OK);
}
END_TEST

START_TEST(test_blk_read)
{
	uint8_t want[1024];
	unsigned i;

	blk_open_started(make_image("disk.img", NSECT * 512));
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 3, 1024), BLK_S_OK);
	for (i = 0; i < sizeof(want); i++)
		want[i] = pattern(3 * 512 + i);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, 1024), want, 1024), 0);
	ck_assert_uint_eq(hl.irq_pulses, 1);
	ck_assert_uint_eq(hl.irq_level, 0);
	ck_assert_uint_eq(rd(R_INT_STATUS), 1);	/* used buffer notification */
	wr(R_INT_ACK, 1);
	ck_assert_uint_eq(rd(R_INT_STATUS), 0);
	/* The whole disk in one request, used length = data + status. */
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 0, NSECT * 512), BLK_S_OK);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA_GPA + NSECT * 512 - 1, 1), pattern(NSECT * 512 - 1));
	ck_assert_uint_eq(hl.irq_pulses, 2);
}
END_TEST

/* Header split 10+6, data over three buffers, status as the last byte of the last one. */
START_TEST(test_blk_read_scattered)
{
	const struct fake_buf bufs[] = {
		{ HDR_GPA, 10, false }, { HDR_GPA + 10, 6, false },
		{ DATA_GPA, 100, true }, { DATA2_GPA, 0, true }, { DATA2_GPA + 64, 924 + 1, true },
	};
	uint8_t got[1024];
	unsigned i;

	blk_open_started(make_image("disk.img", NSECT * 512));
	put_hdr(BLK_T_IN, 5);
	*guest_ptr(&mem, DATA2_GPA + 64 + 924, 1) = 0xee;
	ck_assert_uint_eq(submit(0, bufs, 5), 1024 + 1);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA2_GPA + 64 + 924, 1), BLK_S_OK);
	memcpy(got, guest_ptr(&mem, DATA_GPA, 100), 100);
	memcpy(got + 100, guest_ptr(&mem, DATA2_GPA + 64, 924), 924);
	for (i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], pattern(5 * 512 + i));
	ck_assert_uint_eq(blk_status(), 0xee);	/* the status went elsewhere */
}
END_TEST

/* Header and the first data bytes share a buffer; the data goes on in a second one. */
START_TEST(test_blk_write)
{
	const struct fake_buf bufs[] = {
		{ HDR_GPA, 16 + 300, false }, { DATA_GPA, 724, false }, { STATUS_GPA, 1, true },
	};
	uint8_t want[1024], got[1024];
	unsigned i;

	blk_open_started(make_image("disk.img", NSECT * 512));
	for (i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(0xa5 ^ i);
	put_hdr(BLK_T_OUT, 14);
	memcpy(guest_ptr(&mem, HDR_GPA + 16, 300), want, 300);
	memcpy(guest_ptr(&mem, DATA_GPA, 724), want + 300, 724);
	ck_assert_uint_eq(submit(0, bufs, 3), 1);
	ck_assert_uint_eq(blk_status(), BLK_S_OK);
	image_read(image, 14 * 512, got, sizeof(got));
	ck_assert_int_eq(memcmp(got, want, sizeof(want)), 0);
	/* Neighbours untouched. */
	image_read(image, 14 * 512 - 1, got, 1);
	ck_assert_uint_eq(got[0], pattern(14 * 512 - 1));
	/* Read back through the device. */
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 14, 1024), BLK_S_OK);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, 1024), want, 1024), 0);
}
END_TEST

START_TEST(test_blk_flush)
{
	blk_open_started(make_image("disk.img", NSECT * 512));
	ck_assert_uint_eq(blk_simple(BLK_T_FLUSH, 0, 0), BLK_S_OK);
}
END_TEST

START_TEST(test_blk_get_id)
{
	blk_open_started(make_image("a-rather-long-image-name.raw", NSECT * 512));
	memset(guest_ptr(&mem, DATA_GPA, 32), 0xcc, 32);
	put_hdr(BLK_T_GET_ID, 0);
	ck_assert_uint_eq(blk_simple(BLK_T_GET_ID, 0, 20), BLK_S_OK);
	/* 20 bytes exactly, no NUL: the basename cut short. */
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, 20), "a-rather-long-image-", 20), 0);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA_GPA + 20, 1), 0xcc);
}
END_TEST

START_TEST(test_blk_get_id_short_name)
{
	const struct fake_buf bufs[] = {
		{ HDR_GPA, 16, false }, { DATA_GPA, 20, true }, { STATUS_GPA, 1, true },
	};

	blk_open_started(make_image("disk.img", NSECT * 512));
	memset(guest_ptr(&mem, DATA_GPA, 20), 0xcc, 20);
	put_hdr(BLK_T_GET_ID, 0);
	ck_assert_uint_eq(submit(0, bufs, 3), 21);
	ck_assert_uint_eq(blk_status(), BLK_S_OK);
	/* NUL-padded to 20 bytes. */
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, 20), "disk.img\0\0\0\0\0\0\0\0\0\0\0\0", 20), 0);
}
END_TEST

START_TEST(test_blk_ro)
{
	char spec[320];
	uint8_t got[512];
	unsigned i;

	snprintf(spec, sizeof(spec), "%s,ro", make_image("disk.img", NSECT * 512));
	blk_open_started(spec);
	ck_assert_uint_eq(dev_features() & BLK_F_RO, BLK_F_RO);
	memset(guest_ptr(&mem, DATA_GPA, 512), 0x5a, 512);
	ck_assert_uint_eq(blk_simple(BLK_T_OUT, 2, 512), BLK_S_IOERR);
	image_read(image, 2 * 512, got, sizeof(got));
	for (i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], pattern(2 * 512 + i));
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 2, 512), BLK_S_OK);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA_GPA + 7, 1), pattern(2 * 512 + 7));
	ck_assert_uint_eq(blk_simple(BLK_T_FLUSH, 0, 0), BLK_S_OK);
	ck_assert(!needs_reset());
}
END_TEST

static const struct range_case {
	uint32_t type;
	uint64_t sector;
	uint32_t len;
	uint8_t status;
} ranges[] = {
	{ BLK_T_IN, NSECT - 1, 512, BLK_S_OK },		/* the last sector */
	{ BLK_T_OUT, NSECT - 1, 512, BLK_S_OK },
	{ BLK_T_IN, NSECT, 0, BLK_S_OK },		/* empty, at the end */
	{ BLK_T_IN, NSECT, 512, BLK_S_IOERR },
	{ BLK_T_OUT, NSECT, 512, BLK_S_IOERR },
	{ BLK_T_IN, NSECT - 1, 1024, BLK_S_IOERR },
	{ BLK_T_OUT, NSECT - 1, 1024, BLK_S_IOERR },
	{ BLK_T_IN, NSECT + 1, 0, BLK_S_IOERR },
	{ BLK_T_IN, 0xffffffffffffffffULL, 512, BLK_S_IOERR },	/* sector + n wraps */
	{ BLK_T_OUT, 0xffffffffffffffffULL, 512, BLK_S_IOERR },
	{ BLK_T_IN, 0x0080000000000000ULL, 512, BLK_S_IOERR },	/* sector * 512 wraps */
	{ BLK_T_IN, 0, 100, BLK_S_IOERR },			/* not whole sectors */
	{ BLK_T_OUT, 0, 513, BLK_S_IOERR },
	{ BLK_T_DISCARD, 0, 16, BLK_S_UNSUPP },
	{ 0x12345678, 0, 0, BLK_S_UNSUPP },
};

START_TEST(test_blk_ranges)
{
	const struct range_case *t = &ranges[_i];
	uint8_t got[1024];
	unsigned i;

	blk_open_started(make_image("disk.img", NSECT * 512));
	memset(guest_ptr(&mem, DATA_GPA, 1024), 0x11, 1024);
	ck_assert_uint_eq(blk_simple(t->type, t->sector, t->len), t->status);
	ck_assert(!needs_reset());
	if (t->status == BLK_S_OK)
		return;
	/* A failed request changed nothing. */
	image_read(image, 0, got, sizeof(got));
	for (i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], pattern(i));
	image_read(image, (NSECT - 2) * 512, got, sizeof(got));
	for (i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], pattern((NSECT - 2) * 512 + i));
}
END_TEST

START_TEST(test_blk_short_header)
{
	const struct fake_buf bufs[] = { { HDR_GPA, 8, false }, { STATUS_GPA, 1, true } };

	blk_open_started(make_image("disk.img", NSECT * 512));
	put_hdr(BLK_T_IN, 0);
	ck_assert_uint_eq(submit(0, bufs, 2), 1);
	ck_assert_uint_eq(blk_status(), BLK_S_IOERR);
	ck_assert(!needs_reset());
}
END_TEST

START_TEST(test_blk_header_in_writable_part)
{
	const struct fake_buf bufs[] = { { HDR_GPA, 16, true }, { STATUS_GPA, 1, true } };

	blk_open_started(make_image("disk.img", NSECT * 512));
	put_hdr(BLK_T_IN, 0);
	ck_assert_uint_eq(submit(0, bufs, 2), 1);
	ck_assert_uint_eq(blk_status(), BLK_S_IOERR);
}
END_TEST

START_TEST(test_blk_no_status_byte)
{
	const struct fake_buf bufs[] = { { HDR_GPA, 16, false }, { DATA_GPA, 512, false } };

	blk_open_started(make_image("disk.img", NSECT * 512));
	put_hdr(BLK_T_OUT, 0);
	fake_post(&fq[0], bufs, 2);
	wr(R_QUEUE_NOTIFY, 0);
	ck_assert(needs_reset());
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 0);
}
END_TEST

START_TEST(test_blk_no_interrupt)
{
	blk_open_started(make_image("disk.img", NSECT * 512));
	fake_set_avail_flags(&fq[0], VQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 0, 512), BLK_S_OK);
	ck_assert_uint_eq(hl.irq_pulses, 0);
	fake_set_avail_flags(&fq[0], 0);
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 0, 512), BLK_S_OK);
	ck_assert_uint_eq(hl.irq_pulses, 1);
}
END_TEST

/* A guest pointing a descriptor outside its RAM must not reach host memory, only break the device. */
START_TEST(test_blk_malicious_ring)
{
	uint8_t got[512];
	unsigned i;

	blk_open_started(make_image("disk.img", NSECT * 512));
	put_hdr(BLK_T_OUT, 0);
	fake_desc(&fq[0], 0, HDR_GPA, 16, VQ_DESC_F_NEXT, 1);
	fake_desc(&fq[0], 1, GUEST_RAM_GPA + GUEST_RAM_SIZE - 256, 512, VQ_DESC_F_NEXT, 2);
	fake_desc(&fq[0], 2, STATUS_GPA, 1, VQ_DESC_F_WRITE, 0);
	fake_avail(&fq[0], 0);
	wr(R_QUEUE_NOTIFY, 0);
	ck_assert(needs_reset());
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 0);
	ck_assert_uint_eq(blk_status(), 0xee);
	/* A config-change interrupt tells the driver (2.1.2). */
	ck_assert_uint_eq(rd(R_INT_STATUS) & 2, 2);
	ck_assert_uint_eq(hl.irq_pulses, 1);
	/* The queue is dead until reset: a good request now is ignored. */
	wr(R_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(R_QUEUE_READY), 0);
	fake_post(&fq[0], (const struct fake_buf[]){ { HDR_GPA, 16, false }, { STATUS_GPA, 1, true } }, 2);
	wr(R_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 0);
	ck_assert_uint_eq(blk_status(), 0xee);
	image_read(image, 0, got, sizeof(got));
	for (i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], pattern(i));

	/* Reset clears it; the device works again after a fresh start. */
	wr(R_STATUS, 0);
	ck_assert_uint_eq(rd(R_STATUS), 0);
	ck_assert_uint_eq(rd(R_INT_STATUS), 0);
	ck_assert_uint_eq(rd(R_QUEUE_READY), 0);
	driver_start(1);
	ck_assert(!needs_reset());
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 1, 512), BLK_S_OK);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA_GPA, 1), pattern(512));
}
END_TEST

START_TEST(test_blk_bad_queue_setup)
{
	dev_open(&virtio_blk_type, make_image("disk.img", NSECT * 512));
	wr(R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(R_QUEUE_SEL, 0);
	wr(R_QUEUE_NUM, 3);
	wr(R_QUEUE_READY, 1);
	ck_assert(needs_reset());
	ck_assert_uint_eq(rd(R_QUEUE_READY), 0);
}
END_TEST

START_TEST(test_blk_odd_size)
{
	dev_open(&virtio_blk_type, make_image("disk.img", 1000));
	ck_assert_uint_eq(cfg_rd(0, 8), 1);
}
END_TEST

static const struct init_case {
	bool image;		/* the spec starts with a 16-sector image's path */
	const char *rest;
	int err;
	const char *msg;
} init_bad[] = {
	{ true, ".missing", ENOENT, "cannot open disk" },
	{ true, ",rw", EINVAL, "unknown option 'rw'" },
	{ true, ",ro,", EINVAL, "unknown option ''" },
	{ true, ",ro,sync", EINVAL, "unknown option 'sync'" },
	{ false, ",ro", EINVAL, "empty path" },
	{ false, "", EINVAL, "empty path" },
};

START_TEST(test_blk_init_bad)
{
	const struct init_case *t = &init_bad[_i];
	char spec[320];
	int ret;

	snprintf(spec, sizeof(spec), "%s%s", t->image ? make_image("disk.img", NSECT * 512) : "",
		 t->rest);
	ret = dev_init(&virtio_blk_type, spec);
	ck_assert_int_eq(ret, -t->err);
	ck_assert_msg(strstr(e.msg, t->msg), "\"%s\" lacks \"%s\"", e.msg, t->msg);
}
END_TEST

START_TEST(test_blk_init_empty)
{
	ck_assert_int_eq(dev_init(&virtio_blk_type, make_image("empty.img", 0)), -EINVAL);
	ck_assert_msg(strstr(e.msg, "is empty"), "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(e.msg, image));
	dev.ops->teardown(&dev);
	ck_assert_int_eq(dev_init(&virtio_blk_type, make_image("tiny.img", 511)), -EINVAL);
	ck_assert_msg(strstr(e.msg, "is empty"), "%s", e.msg);
}
END_TEST

START_TEST(test_blk_init_directory)
{
	char spec[320];

	ck_assert_int_eq(dev_init(&virtio_blk_type, fx.root), -EISDIR);
	dev.ops->teardown(&dev);
	snprintf(spec, sizeof(spec), "%s,ro", fx.root);
	ck_assert_int_eq(dev_init(&virtio_blk_type, spec), -EINVAL);
	ck_assert_msg(strstr(e.msg, "not a regular file or block device"), "%s", e.msg);
}
END_TEST

/* Root writes anything: drop CAP_DAC_OVERRIDE (this forked test only) so mode 0444 counts. */
static void drop_dac_override(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
	d[0].effective &= ~(1u << CAP_DAC_OVERRIDE);
	ck_assert_int_eq(syscall(SYS_capset, &h, d), 0);
}

START_TEST(test_blk_readonly_file)
{
	char spec[320];

	make_image("disk.img", NSECT * 512);
	ck_assert_int_eq(chmod(image, 0444), 0);
	drop_dac_override();
	ck_assert_int_eq(dev_init(&virtio_blk_type, image), -EACCES);
	ck_assert_msg(strstr(e.msg, "is not writable") && strstr(e.msg, ",ro"), "%s", e.msg);
	dev.ops->teardown(&dev);
	snprintf(spec, sizeof(spec), "%s,ro", image);
	blk_open_started(spec);
	ck_assert_uint_eq(blk_simple(BLK_T_IN, 0, 512), BLK_S_OK);
}
END_TEST

/* ---- virtio-console ---- */

START_TEST(test_console_tx)
{
	const struct fake_buf bufs[] = { { DATA_GPA, 6, false }, { DATA2_GPA, 5, false } };

	dev_open(&virtio_console_type, NULL);
	ck_assert_uint_eq(rd(R_DEVICE_ID), 3);
	ck_assert_uint_eq(dev_features(), 1ULL << 32);
	driver_start(2);
	memcpy(guest_ptr(&mem, DATA_GPA, 6), "hello ", 6);
	memcpy(guest_ptr(&mem, DATA2_GPA, 5), "world", 5);
	ck_assert_uint_eq(submit(1, bufs, 2), 0);
	ck_assert_uint_eq(hl.out_len, 11);
	ck_assert_int_eq(memcmp(hl.out, "hello world", 11), 0);
	ck_assert_uint_eq(hl.irq_pulses, 1);
	ck_assert_uint_eq(submit(1, bufs + 1, 1), 0);
	ck_assert_uint_eq(hl.out_len, 16);
	ck_assert_uint_eq(hl.console_ready, 0);
}
END_TEST

static size_t console_in(const char *s)
{
	size_t n;

	pthread_mutex_lock(&dev.lock);
	n = dev.ops->console_in(&dev, (const uint8_t *)s, strlen(s));
	pthread_mutex_unlock(&dev.lock);
	return n;
}

START_TEST(test_console_rx)
{
	const struct fake_buf b1 = { DATA_GPA, 4, true }, b2 = { DATA2_GPA, 4, true };
	uint32_t id, len;

	dev_open(&virtio_console_type, NULL);
	ck_assert_uint_eq(console_in("early"), 0);	/* no queue yet */
	driver_start(2);
	ck_assert_uint_eq(console_in("abcdefghij"), 0);	/* no buffers yet */
	fake_post(&fq[0], &b1, 1);
	fake_post(&fq[0], &b2, 1);
	wr(R_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(hl.console_ready, 1);
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 0);	/* a kick alone uses nothing */
	ck_assert_uint_eq(console_in("abcdefghij"), 8);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, 4), "abcd", 4), 0);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA2_GPA, 4), "efgh", 4), 0);
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 2);
	fake_used_elem(&fq[0], 1, &id, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(hl.irq_pulses, 1);
	ck_assert_uint_eq(console_in("ij"), 0);
	/* A short input leaves the rest of a buffer unused. */
	fake_post(&fq[0], &b1, 1);
	ck_assert_uint_eq(console_in("ij"), 2);
	fake_used_elem(&fq[0], 2, &id, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(hl.irq_pulses, 2);
}
END_TEST

START_TEST(test_console_rx_readonly_buffer)
{
	const struct fake_buf b = { DATA_GPA, 4, false };

	dev_open(&virtio_console_type, NULL);
	driver_start(2);
	fake_post(&fq[0], &b, 1);
	ck_assert_uint_eq(console_in("abc"), 0);
	ck_assert(needs_reset());
	ck_assert_uint_eq(console_in("abc"), 0);
}
END_TEST

START_TEST(test_console_tx_malicious)
{
	dev_open(&virtio_console_type, NULL);
	driver_start(2);
	fake_desc(&fq[1], 0, 0xfffffffffffff000ULL, 0x2000, 0, 0);
	fake_avail(&fq[1], 0);
	wr(R_QUEUE_NOTIFY, 1);
	ck_assert(needs_reset());
	ck_assert_uint_eq(hl.out_len, 0);
}
END_TEST

/* ---- virtio-rng ---- */

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

START_TEST(test_rng)
{
	const struct fake_buf bufs[] = { { DATA_GPA, 64, true }, { DATA2_GPA, 100, true } };

	dev_open(&virtio_rng_type, NULL);
	ck_assert_uint_eq(rd(R_DEVICE_ID), 4);
	driver_start(1);
	ck_assert_uint_eq(submit(0, bufs, 1), 64);
	ck_assert(!all_zero(guest_ptr(&mem, DATA_GPA, 64), 64));
	ck_assert(all_zero(guest_ptr(&mem, DATA2_GPA, 100), 100));
	ck_assert_uint_eq(submit(0, bufs, 2), 164);
	ck_assert(!all_zero(guest_ptr(&mem, DATA2_GPA, 100), 100));
	ck_assert_uint_eq(hl.irq_pulses, 2);
}
END_TEST

/* ---- virtio-net ---- */

static const struct net_case {
	const char *spec;
	const char *msg;
} net_bad[] = {
	{ "mode=user", "bad option 'mode=user'" },
	{ "mode=tap", "expected mode=tap,tapif=NAME" },
	{ "tapif=tap0", "expected mode=tap,tapif=NAME" },
	{ "mode=tap,tapif=", "bad option 'tapif='" },
	{ "mode=tap,tapif=a-much-too-long-name", "bad option 'tapif=a-much-too-long-name'" },
	{ "mode=tap,tapif=tap0,vhost=on", "bad option 'vhost=on'" },
	{ "", "expected mode=tap,tapif=NAME" },
};

START_TEST(test_net_bad_spec)
{
	ck_assert_int_eq(dev_init(&virtio_net_type, net_bad[_i].spec), -EINVAL);
	ck_assert_msg(strstr(e.msg, net_bad[_i].msg), "\"%s\" lacks \"%s\"", e.msg, net_bad[_i].msg);
	ck_assert_uint_eq(hl.nr_watches, 0);
}
END_TEST

#define NET_HDR		12
#define ETH_TEST	0x88b5		/* IEEE local experimental ethertype */
#define FRAME_LEN	64

static char tapname[IFNAMSIZ];

/* A fresh tap for this test; false (test skipped) without /dev/net/tun or CAP_NET_ADMIN. */
static bool open_net(void)
{
	char spec[64];
	int ret;

	snprintf(tapname, sizeof(tapname), "lkvmt%d", (int)(getpid() % 100000));
	snprintf(spec, sizeof(spec), "mode=tap,tapif=%s", tapname);
	ret = dev_init(&virtio_net_type, spec);
	if (ret == -EPERM || ret == -ENOENT || ret == -ENODEV) {
		fprintf(stderr, "test_virtio_devices: skipping a virtio-net test: %s\n", e.msg);
		return false;
	}
	ck_assert_msg(ret == 0, "init = %d: %s", ret, e.msg);
	ck_assert_uint_eq(hl.nr_watches, 1);
	return true;
}

/* Link up, IPv6 off where we may (so the host sends no RS/MLD frames of its own). */
static void tap_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", tapname);
	f = fopen(path, "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	ck_assert_int_ge(s, 0);
	strcpy(ifr.ifr_name, tapname);
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

/* A packet socket on the tap's host side seeing only test frames. */
static int tap_peer(struct sockaddr_ll *sll)
{
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_TEST));

	ck_assert_int_ge(s, 0);
	*sll = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_protocol = htons(ETH_TEST),
				     .sll_ifindex = (int)if_nametoindex(tapname), .sll_halen = 6 };
	ck_assert_int_gt(sll->sll_ifindex, 0);
	memset(sll->sll_addr, 0xff, 6);
	ck_assert_int_eq(bind(s, (struct sockaddr *)sll, sizeof(*sll)), 0);
	return s;
}

static void make_frame(uint8_t *f, uint8_t tag)
{
	static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	unsigned i;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_TEST >> 8;
	f[13] = ETH_TEST & 0xff;
	for (i = 14; i < FRAME_LEN; i++)
		f[i] = (uint8_t)(tag + i);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

START_TEST(test_net_config)
{
	if (!open_net())
		return;
	ck_assert_uint_eq(rd(R_DEVICE_ID), 1);
	ck_assert_uint_eq(dev_features(), 1ULL << 5 | 1ULL << 16 | 1ULL << 32);	/* MAC, STATUS */
	ck_assert_uint_eq(cfg_rd(0, 4), 0x12005452);
	ck_assert_uint_eq(cfg_rd(4, 2), 0x5634);
	ck_assert_uint_eq(cfg_rd(6, 2), 1);	/* link up */
}
END_TEST

/* Guest frames leave through the tap with a zeroed header, whatever the guest put in it. */
START_TEST(test_net_tx)
{
	const struct fake_buf bufs[] = { { DATA_GPA, NET_HDR + 20, false }, { DATA2_GPA, FRAME_LEN - 20, false } };
	uint8_t frame[FRAME_LEN], got[FRAME_LEN + 16];
	struct sockaddr_ll sll;
	int peer;

	if (!open_net())
		return;
	tap_up();
	peer = tap_peer(&sll);
	driver_start(2);
	make_frame(frame, 1);
	memset(guest_ptr(&mem, DATA_GPA, NET_HDR), 0, NET_HDR);
	/* NEEDS_CSUM at an offset past the frame: the host kernel would drop such a frame. */
	*guest_ptr(&mem, DATA_GPA, 1) = 1;
	*guest_ptr(&mem, DATA_GPA + 6, 1) = 0xe8;
	*guest_ptr(&mem, DATA_GPA + 7, 1) = 0x03;
	memcpy(guest_ptr(&mem, DATA_GPA + NET_HDR, 20), frame, 20);
	memcpy(guest_ptr(&mem, DATA2_GPA, FRAME_LEN - 20), frame + 20, FRAME_LEN - 20);
	ck_assert_uint_eq(submit(1, bufs, 2), 0);
	ck_assert_msg(readable(peer, 2000), "the frame did not come out of the tap");
	ck_assert_int_eq(recv(peer, got, sizeof(got), 0), FRAME_LEN);
	ck_assert_int_eq(memcmp(got, frame, FRAME_LEN), 0);
	close(peer);
}
END_TEST

START_TEST(test_net_tx_short)
{
	const struct fake_buf b = { DATA_GPA, NET_HDR - 1, false };

	if (!open_net())
		return;
	driver_start(2);
	fake_post(&fq[1], &b, 1);
	wr(R_QUEUE_NOTIFY, 1);
	ck_assert(needs_reset());
}
END_TEST

/* Runs the main loop's part: the watched fd readable, call its callback. */
static void serve_watch(int timeout_ms)
{
	ck_assert_msg(readable(hl.watch_fd, timeout_ms), "watched fd not readable");
	hl.watch_cb(hl.watch_arg);
}

static void post_rx_buffer(void)
{
	const struct fake_buf b = { DATA_GPA, 2048, true };

	memset(guest_ptr(&mem, DATA_GPA, 2048), 0xcc, 2048);
	fake_post(&fq[0], &b, 1);
	wr(R_QUEUE_NOTIFY, 0);
}

/*
 * With a receive buffer posted, waits until frame lands in it.  The host
 * stack may queue frames of its own first: each gets a fresh buffer.
 */
static void receive_frame(const uint8_t *frame)
{
	uint16_t seen = 0;
	uint32_t id, len;

	while (seen < 20) {
		if (fake_used_idx(&fq[0]) == seen) {
			serve_watch(2000);
			continue;
		}
		fake_used_elem(&fq[0], seen++, &id, &len);
		if (len == NET_HDR + FRAME_LEN &&
		    !memcmp(guest_ptr(&mem, DATA_GPA + NET_HDR, FRAME_LEN), frame, FRAME_LEN))
			return;
		post_rx_buffer();
	}
	ck_abort_msg("the test frame never arrived");
}

START_TEST(test_net_rx)
{
	uint8_t frame[FRAME_LEN];
	struct sockaddr_ll sll;
	int peer;

	if (!open_net())
		return;
	tap_up();
	peer = tap_peer(&sll);
	driver_start(2);
	make_frame(frame, 7);
	ck_assert_int_eq(sendto(peer, frame, FRAME_LEN, 0, (struct sockaddr *)&sll, sizeof(sll)),
			 FRAME_LEN);
	/* No receive buffers: the frame waits in the tap and the fd goes unwatched. */
	serve_watch(2000);
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 0);
	ck_assert(!readable(hl.watch_fd, 0));
	/* Posting a buffer delivers at the kick, without the main loop. */
	post_rx_buffer();
	ck_assert_uint_eq(fake_used_idx(&fq[0]), 1);
	receive_frame(frame);
	/* Our header: no flags, no GSO, num_buffers 1. */
	ck_assert_int_eq(memcmp(guest_ptr(&mem, DATA_GPA, NET_HDR), "\0\0\0\0\0\0\0\0\0\0\1\0", NET_HDR), 0);
	ck_assert_uint_eq(*guest_ptr(&mem, DATA_GPA + NET_HDR + FRAME_LEN, 1), 0xcc);
	ck_assert_uint_ge(hl.irq_pulses, 1);
	close(peer);
}
END_TEST

/* A buffer posted before any frame waits popped; the main loop's wake-up fills it. */
START_TEST(test_net_rx_watch)
{
	uint8_t frame[FRAME_LEN];
	struct sockaddr_ll sll;
	int peer;

	if (!open_net())
		return;
	tap_up();
	peer = tap_peer(&sll);
	driver_start(2);
	post_rx_buffer();
	make_frame(frame, 9);
	ck_assert_int_eq(sendto(peer, frame, FRAME_LEN, 0, (struct sockaddr *)&sll, sizeof(sll)),
			 FRAME_LEN);
	receive_frame(frame);
	close(peer);
}
END_TEST

START_TEST(test_net_rx_short_buffer)
{
	const struct fake_buf b = { DATA_GPA, NET_HDR - 1, true };

	if (!open_net())
		return;
	driver_start(2);
	fake_post(&fq[0], &b, 1);
	wr(R_QUEUE_NOTIFY, 0);
	ck_assert(needs_reset());
}
END_TEST

static Suite *devices_suite(void)
{
	Suite *s = suite_create("virtio_devices");
	TCase *mm = tcase_create("mmio"), *blk = tcase_create("blk"), *con = tcase_create("console");
	TCase *rng = tcase_create("rng"), *net = tcase_create("net");
	TCase *all[] = { mm, blk, con, rng, net };
	unsigned i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(mm, test_mmio_identity);
	tcase_add_test(mm, test_blk_features);
	tcase_add_test(mm, test_blk_bad_queue_setup);
	tcase_add_test(blk, test_blk_config);
	tcase_add_test(blk, test_blk_read);
	tcase_add_test(blk, test_blk_read_scattered);
	tcase_add_test(blk, test_blk_write);
	tcase_add_test(blk, test_blk_flush);
	tcase_add_test(blk, test_blk_get_id);
	tcase_add_test(blk, test_blk_get_id_short_name);
	tcase_add_test(blk, test_blk_ro);
	tcase_add_loop_test(blk, test_blk_ranges, 0, sizeof(ranges) / sizeof(ranges[0]));
	tcase_add_test(blk, test_blk_short_header);
	tcase_add_test(blk, test_blk_header_in_writable_part);
	tcase_add_test(blk, test_blk_no_status_byte);
	tcase_add_test(blk, test_blk_no_interrupt);
	tcase_add_test(blk, test_blk_malicious_ring);
	tcase_add_test(blk, test_blk_odd_size);
	tcase_add_loop_test(blk, test_blk_init_bad, 0, sizeof(init_bad) / sizeof(init_bad[0]));
	tcase_add_test(blk, test_blk_init_empty);
	tcase_add_test(blk, test_blk_init_directory);
	tcase_add_test(blk, test_blk_readonly_file);
	tcase_add_test(con, test_console_tx);
	tcase_add_test(con, test_console_rx);
	tcase_add_test(con, test_console_rx_readonly_buffer);
	tcase_add_test(con, test_console_tx_malicious);
	tcase_add_test(rng, test_rng);
	tcase_add_loop_test(net, test_net_bad_spec, 0, sizeof(net_bad) / sizeof(net_bad[0]));
	tcase_add_test(net, test_net_config);
	tcase_add_test(net, test_net_tx);
	tcase_add_test(net, test_net_tx_short);
	tcase_add_test(net, test_net_rx);
	tcase_add_test(net, test_net_rx_watch);
	tcase_add_test(net, test_net_rx_short_buffer);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(devices_suite());
	struct fixture base;
	int failed;

	log_set_level(LOG_ERROR);	/* the guest errors provoked here are expected */
	if (fixture_sweep_begin(&base))
		return EXIT_FAILURE;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (fixture_sweep_end(&base))
		return EXIT_FAILURE;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
