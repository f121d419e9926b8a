/*
 * test_core.c: unit tests for the VMM core's pure parts: the MMIO/SPI
 * allocator (vmm/resources.h), the Ctrl-a console escape filter
 * (vmm/term.h), and the 16550 UART and the exit device driven through
 * their ops tables with a recording device_host.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/layout.h"
#include "devices/devices.h"
#include "vmm/resources.h"
#include "vmm/term.h"

/* Resources: over a range of their own, so the tests do not move with arm64/layout.h. */

#define MMIO_BASE	0x01001000ULL
#define MMIO_END	0x08000000ULL
#define NR_SPIS		96U

START_TEST(test_res_mmio_alignment)
{
	struct resources r;
	struct err e = { 0 };
	uint64_t base;

	resources_init(&r, MMIO_BASE, MMIO_END, NR_SPIS);
	/* Small windows are 4 KiB aligned. */
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x200, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01001000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x200, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01002000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x1000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01003000);
	/* Larger ones to their size rounded up to a power of two. */
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x3000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01004000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x10000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01010000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x100000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01100000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 1, &base, &e), 0);
	ck_assert_uint_eq(base, 0x01200000);
	ck_assert_str_eq(e.msg, "");
}
END_TEST

START_TEST(test_res_mmio_exhaustion)
{
	struct resources r;
	struct err e = { 0 };
	uint64_t base = 0xdead;

	resources_init(&r, 0x10000, 0x14000, 4);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x1000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x10000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x2000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x12000);	/* 8 KiB aligned: 0x11000 is skipped */
	base = 0xdead;
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x1000, &base, &e), -ENOSPC);
	ck_assert_uint_eq(base, 0xdead);
	ck_assert_int_eq(e.errnum, ENOSPC);
	ck_assert_str_eq(e.msg, "no room for a 0x1000-byte MMIO window");
}
END_TEST

START_TEST(test_res_mmio_exact_fit)
{
	struct resources r;
	struct err e = { 0 };
	uint64_t base;

	resources_init(&r, 0x10000, 0x12000, 4);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x2000, &base, &e), 0);
	ck_assert_uint_eq(base, 0x10000);
	ck_assert_int_eq(resources_alloc_mmio(&r, 1, &base, &e), -ENOSPC);
}
END_TEST

START_TEST(test_res_mmio_too_big_or_zero)
{
	struct resources r;
	struct err e = { 0 };
	uint64_t base;

	resources_init(&r, MMIO_BASE, MMIO_END, NR_SPIS);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x8000000, &base, &e), -ENOSPC);
	ck_assert_str_eq(e.msg, "no room for a 0x8000000-byte MMIO window");
	err_clear(&e);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0, &base, &e), -ENOSPC);
	/* A failure does not use anything up. */
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x1000, &base, &e), 0);
	ck_assert_uint_eq(base, MMIO_BASE);
}
END_TEST

START_TEST(test_res_mmio_wraparound)
{
	struct resources r;
	struct err e = { 0 };
	uint64_t base;

	/* Rounding up past 2^64 must fail, not wrap to address 0. */
	resources_init(&r, 0xfffffffffffff000ULL, UINT64_MAX, 1);
	ck_assert_int_eq(resources_alloc_mmio(&r, 0x2000, &base, &e), -ENOSPC);
}
END_TEST

START_TEST(test_res_spi)
{
	struct resources r;
	struct err e = { 0 };
	unsigned spi, i;

	resources_init(&r, MMIO_BASE, MMIO_END, NR_SPIS);
	for (i = 0; i < NR_SPIS; i++) {
		ck_assert_int_eq(resources_alloc_spi(&r, &spi, &e), 0);
		ck_assert_uint_eq(spi, i);
	}
	spi = 1234;
	ck_assert_int_eq(resources_alloc_spi(&r, &spi, &e), -ENOSPC);
	ck_assert_uint_eq(spi, 1234);
	ck_assert_str_eq(e.msg, "out of interrupt lines (96 SPIs in use)");
}
END_TEST

/* Console escape filter */

#define FILTER(t, in, out, n) term_filter((t), (const uint8_t *)(in), sizeof(in) - 1, (out), (n))

START_TEST(test_term_plain)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "ls -l\r\x03\x1b[A", out, &n));
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(out, "ls -l\r\x03\x1b[A", 10);
	ck_assert(!t.escape_pending);
}
END_TEST

START_TEST(test_term_quit_mid_buffer)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	/* Bytes before the escape still go to the guest; those after it are dropped. */
	ck_assert(FILTER(&t, "ab\x01xcd", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "ab", 2);
}
END_TEST

START_TEST(test_term_quit_first)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(FILTER(&t, "\x01x", out, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_term_double_escape)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "\x01\x01", out, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 0x01);
	ck_assert(!t.escape_pending);

	/* A literal Ctrl-a followed by x is not a quit. */
	ck_assert(!FILTER(&t, "\x01\x01x", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01x", 2);
}
END_TEST

START_TEST(test_term_escape_other)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "\x01y", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01y", 2);

	/* Upper-case X is not the quit key. */
	ck_assert(!FILTER(&t, "\x01X", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01X", 2);
}
END_TEST

START_TEST(test_term_worst_case_expansion)
{
	struct term t = { 0 };
	uint8_t out[8];
	size_t n = 99;

	/* Every pair doubles: out must hold 2 * len, and this fills exactly len. */
	ck_assert(!FILTER(&t, "\x01" "a\x01" "b", out, &n));
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(out, "\x01" "a\x01" "b", 4);
}
END_TEST

START_TEST(test_term_split_quit)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "a\x01", out, &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 'a');
	ck_assert(t.escape_pending);
	ck_assert(FILTER(&t, "xyz", out, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_term_split_double)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "\x01", out, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(!FILTER(&t, "\x01z", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01z", 2);
	ck_assert(!t.escape_pending);
}
END_TEST

START_TEST(test_term_split_other)
{
	struct term t = { 0 };
	uint8_t out[64];
	size_t n = 99;

	ck_assert(!FILTER(&t, "\x01", out, &n));
	ck_assert(!FILTER(&t, "q", out, &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "\x01q", 2);
}
END_TEST

START_TEST(test_term_empty)
{
	struct term t = { .escape_pending = true };
	uint8_t out[1] = { 0 };
	size_t n = 99;

	ck_assert(!term_filter(&t, out, 0, out, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(t.escape_pending);	/* still waiting for the key after Ctrl-a */
}
END_TEST

/* UART */

/* Register offsets and bits (PC16550D). */
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define TEST_SPI 5

/* A device_host that records what the device asks for. */
struct recorder {
	int level;			/* last level driven, -1: never driven */
	unsigned nr_irq_calls;
	unsigned last_spi;
	uint8_t out[256];
	size_t out_len;
	unsigned ready_calls;
	int exit_status;		/* -1: guest_exit not called */
	unsigned exit_calls;
};

static void rec_set_irq(void *ctx, unsigned spi, int level)
{
	struct recorder *r = ctx;

	r->level = level;
	r->last_spi = spi;
	r->nr_irq_calls++;
}

static void rec_console_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct recorder *r = ctx;

	ck_assert_uint_le(r->out_len + len, sizeof(r->out));
	memcpy(r->out + r->out_len, buf, len);
	r->out_len += len;
}

static void rec_console_ready(void *ctx)
{
	struct recorder *r = ctx;

	r->ready_calls++;
}

static void rec_guest_exit(void *ctx, int status)
{
	struct recorder *r = ctx;

	r->exit_status = status;
	r->exit_calls++;
}

static struct recorder rec;
static struct device_host host = {
	.ctx = &rec,
	.set_irq = rec_set_irq,
	.console_out = rec_console_out,
	.console_ready = rec_console_ready,
	.guest_exit = rec_guest_exit,
};
static struct device dev;

static void uart_setup(void)
{
	struct err e = { 0 };

	memset(&rec, 0, sizeof(rec));
	rec.level = -1;
	rec.exit_status = -1;
	memset(&dev, 0, sizeof(dev));
	dev.ops = &uart16550_ops;
	dev.base = LAYOUT_UART_BASE;
	dev.size = uart16550_ops.mmio_size;
	dev.spi = TEST_SPI;
	dev.host = &host;
	pthread_mutex_init(&dev.lock, NULL);
	ck_assert_int_eq(dev.ops->init(&dev, &e), 0);
	ck_assert_ptr_nonnull(dev.priv);
}

static void uart_teardown(void)
{
	dev.ops->teardown(&dev);
	ck_assert_ptr_null(dev.priv);
	pthread_mutex_destroy(&dev.lock);
}

/* A guest access as vm_mmio() makes it: lock held, read data zeroed. */
static void wr(unsigned reg, uint8_t v)
{
	uint8_t data[8] = { v };

	pthread_mutex_lock(&dev.lock);
	dev.ops->mmio(&dev, reg, data, 1, true);
	pthread_mutex_unlock(&dev.lock);
}

static uint8_t rd(unsigned reg)
{
	uint8_t data[8] = { 0 };

	pthread_mutex_lock(&dev.lock);
	dev.ops->mmio(&dev, reg, data, 1, false);
	pthread_mutex_unlock(&dev.lock);
	return data[0];
}

static size_t input(const void *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&dev.lock);
	n = dev.ops->console_in(&dev, buf, len);
	pthread_mutex_unlock(&dev.lock);
	return n;
}

START_TEST(test_uart_ops_table)
{
	ck_assert_str_eq(uart16550_ops.name, "uart16550");
	ck_assert_str_eq(uart16550_ops.compatible, "ns16550a");
	ck_assert_int_eq(uart16550_ops.dt_kind, DT_DEV_UART16550);
	ck_assert_uint_eq(uart16550_ops.mmio_size, 0x1000);
	ck_assert_ptr_nonnull(uart16550_ops.console_in);
}
END_TEST

START_TEST(test_uart_reset_state)
{
	ck_assert_uint_eq(rd(LSR), 0x60);	/* THRE | TEMT, no data */
	ck_assert_uint_eq(rd(IIR), 0x01);	/* no interrupt, FIFOs off */
	ck_assert_uint_eq(rd(IER), 0);
	ck_assert_uint_eq(rd(LCR), 0);
	ck_assert_uint_eq(rd(MCR), 0);
	ck_assert_uint_eq(rd(MSR), 0xb0);	/* DCD, DSR, CTS */
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rec.nr_irq_calls, 0);
	ck_assert_uint_eq(rec.out_len, 0);
}
END_TEST

START_TEST(test_uart_thr_output)
{
	wr(THR, 'h');
	wr(THR, 'i');
	wr(THR, '\n');
	ck_assert_uint_eq(rec.out_len, 3);
	ck_assert_mem_eq(rec.out, "hi\n", 3);
	/* Transmission is instant: the holding register is empty again at once. */
	ck_assert_uint_eq(rd(LSR) & 0x60, 0x60);
	/* IER is 0: no interrupt. */
	ck_assert_uint_eq(rec.nr_irq_calls, 0);
}
END_TEST

START_TEST(test_uart_wide_access)
{
	uint8_t data[8] = { 'A', 'B', 'C', 'D' };

	/* A 32-bit store touches the first byte only. */
	pthread_mutex_lock(&dev.lock);
	dev.ops->mmio(&dev, THR, data, 4, true);
	pthread_mutex_unlock(&dev.lock);
	ck_assert_uint_eq(rec.out_len, 1);
	ck_assert_uint_eq(rec.out[0], 'A');
}
END_TEST

START_TEST(test_uart_out_of_range)
{
	uint8_t data[8] = { 0 };

	wr(8, 'x');
	wr(0xfff, 'x');
	ck_assert_uint_eq(rec.out_len, 0);
	pthread_mutex_lock(&dev.lock);
	dev.ops->mmio(&dev, 0x100, data, 1, false);
	pthread_mutex_unlock(&dev.lock);
	ck_assert_uint_eq(data[0], 0);
}
END_TEST

START_TEST(test_uart_thri)
{
	/* Enabling THRI with the transmitter empty raises the interrupt at once. */
	wr(IER, 0x02);
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rec.last_spi, TEST_SPI);
	ck_assert_uint_eq(rec.nr_irq_calls, 1);
	/* Reading IIR with THRE as the source acknowledges it and lowers the line. */
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rec.nr_irq_calls, 2);
	ck_assert_uint_eq(rd(IIR), 0x01);
	ck_assert_uint_eq(rec.nr_irq_calls, 2);	/* no redundant level changes */
	/* Each byte written raises it again. */
	wr(THR, 'z');
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rec.out_len, 1);
}
END_TEST

START_TEST(test_uart_thri_disable_lowers)
{
	wr(IER, 0x02);
	ck_assert_int_eq(rec.level, 1);
	wr(IER, 0x00);
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rd(IIR), 0x01);
	/* Re-enabling with the holder still empty raises it again. */
	wr(IER, 0x02);
	ck_assert_int_eq(rec.level, 1);
}
END_TEST

START_TEST(test_uart_ier_reserved_bits)
{
	wr(IER, 0xff);
	ck_assert_uint_eq(rd(IER), 0x0f);
}
END_TEST

START_TEST(test_uart_fifo_iir_bits)
{
	wr(FCR, 0x01);			/* FIFO enable */
	ck_assert_uint_eq(rd(IIR), 0xc1);
	wr(IER, 0x02);
	ck_assert_uint_eq(rd(IIR), 0xc2);
	ck_assert_uint_eq(rd(IIR), 0xc1);
}
END_TEST

START_TEST(test_uart_receive)
{
	wr(IER, 0x01);			/* RDI */
	ck_assert_uint_eq(rec.nr_irq_calls, 0);
	ck_assert_uint_eq(input("hey", 3), 3);
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rec.last_spi, TEST_SPI);
	ck_assert_uint_eq(rd(LSR), 0x61);	/* DR */
	ck_assert_uint_eq(rd(IIR), 0x04);	/* RDI; reading IIR does not ack it */
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rd(RBR), 'h');
	ck_assert_uint_eq(rd(RBR), 'e');
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rd(RBR), 'y');
	/* Drained: DR clear, line low. */
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rd(IIR), 0x01);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rec.ready_calls, 0);	/* never was full */
}
END_TEST

START_TEST(test_uart_receive_polled)
{
	/* IER 0: data is visible in LSR but no interrupt is raised. */
	ck_assert_uint_eq(input("a", 1), 1);
	ck_assert_uint_eq(rd(LSR), 0x61);
	ck_assert_uint_eq(rec.nr_irq_calls, 0);
	/* Enabling RDI with data waiting raises the line. */
	wr(IER, 0x01);
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rd(RBR), 'a');
	ck_assert_int_eq(rec.level, 0);
}
END_TEST

START_TEST(test_uart_rdi_before_thri)
{
	wr(IER, 0x03);
	ck_assert_uint_eq(input("k", 1), 1);
	/* Received data has priority; the pending THRE is reported once RX is empty. */
	ck_assert_uint_eq(rd(IIR), 0x04);
	ck_assert_uint_eq(rd(RBR), 'k');
	ck_assert_int_eq(rec.level, 1);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_int_eq(rec.level, 0);
}
END_TEST

START_TEST(test_uart_fifo_full)
{
	uint8_t buf[100];
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	ck_assert_uint_eq(input(buf, sizeof(buf)), 64);
	ck_assert_uint_eq(input(buf + 64, 36), 0);
	ck_assert_uint_eq(rec.ready_calls, 0);
	/* Draining one byte from a full FIFO says input can flow again, once. */
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rec.ready_calls, 1);
	ck_assert_uint_eq(rd(RBR), 1);
	ck_assert_uint_eq(rec.ready_calls, 1);
	/* Two slots free now; the ring wraps and order is kept. */
	ck_assert_uint_eq(input(buf + 64, 36), 2);
	ck_assert_uint_eq(input(buf + 66, 34), 0);
	for (i = 2; i < 66; i++)
		ck_assert_uint_eq(rd(RBR), i);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
	ck_assert_uint_eq(rec.ready_calls, 2);
}
END_TEST

START_TEST(test_uart_fcr_clear_rx)
{
	wr(IER, 0x01);
	ck_assert_uint_eq(input("abc", 3), 3);
	ck_assert_int_eq(rec.level, 1);
	wr(FCR, 0x03);			/* enable + clear RX */
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rd(IIR), 0xc1);	/* the clear bit itself is not kept */
	ck_assert_uint_eq(input("d", 1), 1);
	ck_assert_uint_eq(rd(RBR), 'd');
}
END_TEST

START_TEST(test_uart_dlab)
{
	wr(LCR, 0x83);			/* DLAB, 8N1 */
	wr(DLL, 0x01);			/* 115200 baud */
	wr(DLM, 0x00);
	ck_assert_uint_eq(rec.out_len, 0);	/* the divisor is not data */
	ck_assert_uint_eq(rd(DLL), 0x01);
	ck_assert_uint_eq(rd(DLM), 0x00);
	wr(DLM, 0x02);
	ck_assert_uint_eq(rd(DLM), 0x02);
	ck_assert_uint_eq(rec.nr_irq_calls, 0);	/* the DLM write did not enable THRI */
	wr(LCR, 0x03);
	ck_assert_uint_eq(rd(LCR), 0x03);
	/* Back to the data registers: IER untouched, THR transmits. */
	ck_assert_uint_eq(rd(IER), 0);
	wr(THR, 'o');
	ck_assert_uint_eq(rec.out_len, 1);
	ck_assert_uint_eq(rec.out[0], 'o');
	/* DLAB reads of offset 0 do not pop received data. */
	ck_assert_uint_eq(input("r", 1), 1);
	wr(LCR, 0x83);
	ck_assert_uint_eq(rd(DLL), 0x01);
	wr(LCR, 0x03);
	ck_assert_uint_eq(rd(RBR), 'r');
}
END_TEST

START_TEST(test_uart_loopback)
{
	wr(MCR, 0x10);
	ck_assert_uint_eq(rd(MCR), 0x10);
	wr(THR, 'L');
	ck_assert_uint_eq(rec.out_len, 0);
	wr(MCR, 0x00);
	wr(THR, 'N');
	ck_assert_uint_eq(rec.out_len, 1);
	ck_assert_uint_eq(rec.out[0], 'N');
}
END_TEST

START_TEST(test_uart_scratch)
{
	wr(SCR, 0x5a);
	ck_assert_uint_eq(rd(SCR), 0x5a);
	/* LSR and MSR are read-only. */
	wr(LSR, 0x00);
	wr(MSR, 0x00);
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_uint_eq(rd(MSR), 0xb0);
}
END_TEST

START_TEST(test_uart_reset)
{
	wr(IER, 0x03);
	wr(LCR, 0x03);
	wr(SCR, 0x11);
	ck_assert_uint_eq(input("abc", 3), 3);
	ck_assert_int_eq(rec.level, 1);
	dev.ops->reset(&dev);
	/* Power-on state, and the line it was holding high is released. */
	ck_assert_int_eq(rec.level, 0);
	ck_assert_uint_eq(rd(IER), 0);
	ck_assert_uint_eq(rd(LCR), 0);
	ck_assert_uint_eq(rd(SCR), 0);
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_uint_eq(rd(IIR), 0x01);
}
END_TEST

START_TEST(test_uart_reset_idle)
{
	dev.ops->reset(&dev);
	ck_assert_uint_eq(rec.nr_irq_calls, 0);	/* a low line is not driven again */
}
END_TEST

/*
 * Clearing a full RX FIFO through FCR must call console_ready, or the VMM's
 * pending console input would never be offered again.
 */
START_TEST(test_uart_fcr_clear_full_fifo_ready)
{
	uint8_t buf[64] = { 0 };

	ck_assert_uint_eq(input(buf, sizeof(buf)), 64);
	ck_assert_uint_eq(input("more", 4), 0);
	wr(FCR, 0x07);			/* what Linux's serial8250_clear_fifos() writes */
	ck_assert_uint_eq(rec.ready_calls, 1);
}
END_TEST

/* Exit device: the guest writes a 32-bit status at offset 0; offset 4 reads "LKVX". */

static void exit_setup(void)
{
	memset(&rec, 0, sizeof(rec));
	rec.level = -1;
	rec.exit_status = -1;
	memset(&dev, 0, sizeof(dev));
	dev.ops = &exit_dev_ops;
	dev.base = LAYOUT_EXIT_BASE;
	dev.size = exit_dev_ops.mmio_size;
	dev.host = &host;
	ck_assert_ptr_null(exit_dev_ops.init);	/* stateless */
}

static void exit_access(uint64_t offset, uint8_t *data, unsigned len, bool is_write)
{
	dev.ops->mmio(&dev, offset, data, len, is_write);
}

static void exit_write32(uint64_t offset, uint32_t v)
{
	uint8_t data[8] = { v, v >> 8, v >> 16, v >> 24 };

	exit_access(offset, data, 4, true);
}

START_TEST(test_exit_ops_table)
{
	ck_assert_str_eq(exit_dev_ops.name, "exit");
	ck_assert_str_eq(exit_dev_ops.compatible, "lkvm,exit");
	ck_assert_int_eq(exit_dev_ops.dt_kind, DT_DEV_EXIT);
	ck_assert_uint_eq(exit_dev_ops.mmio_size, 0x1000);
}
END_TEST

START_TEST(test_exit_magic)
{
	uint8_t data[8] = { 0 };

	exit_access(4, data, 4, false);
	ck_assert_mem_eq(data, "LKVX", 4);
	memset(data, 0, sizeof(data));
	exit_access(0, data, 4, false);
	ck_assert_uint_eq(data[0] | data[1] | data[2] | data[3], 0);
	ck_assert_uint_eq(rec.exit_calls, 0);
}
END_TEST

static const uint32_t exit_values[][2] = {
	{ 0, 0 }, { 1, 1 }, { 42, 42 }, { 255, 255 }, { 256, 255 }, { 0xffffffff, 255 },
};

START_TEST(test_exit_status)
{
	exit_write32(0, exit_values[_i][0]);
	ck_assert_uint_eq(rec.exit_calls, 1);
	ck_assert_int_eq(rec.exit_status, (int)exit_values[_i][1]);
}
END_TEST

START_TEST(test_exit_ignored_accesses)
{
	uint8_t data[8] = { 7 };

	/* Only an aligned 32-bit write at offset 0 counts. */
	exit_access(0, data, 1, true);
	exit_access(0, data, 2, true);
	exit_access(0, data, 8, true);
	exit_access(2, data, 4, true);
	exit_write32(4, 7);
	exit_write32(8, 7);
	ck_assert_uint_eq(rec.exit_calls, 0);
	/* Unaligned or narrow reads return nothing. */
	memset(data, 0, sizeof(data));
	exit_access(4, data, 1, false);
	exit_access(5, data, 4, false);
	ck_assert_uint_eq(data[0] | data[1] | data[2] | data[3], 0);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *res = tcase_create("resources");
	TCase *term = tcase_create("term_filter");
	TCase *uart = tcase_create("uart16550");
	TCase *exitdev = tcase_create("exit");

	tcase_add_test(res, test_res_mmio_alignment);
	tcase_add_test(res, test_res_mmio_exhaustion);
	tcase_add_test(res, test_res_mmio_exact_fit);
	tcase_add_test(res, test_res_mmio_too_big_or_zero);
	tcase_add_test(res, test_res_mmio_wraparound);
	tcase_add_test(res, test_res_spi);
	suite_add_tcase(s, res);

	tcase_add_test(term, test_term_plain);
	tcase_add_test(term, test_term_quit_mid_buffer);
	tcase_add_test(term, test_term_quit_first);
	tcase_add_test(term, test_term_double_escape);
	tcase_add_test(term, test_term_escape_other);
	tcase_add_test(term, test_term_worst_case_expansion);
	tcase_add_test(term, test_term_split_quit);
	tcase_add_test(term, test_term_split_double);
	tcase_add_test(term, test_term_split_other);
	tcase_add_test(term, test_term_empty);
	suite_add_tcase(s, term);

	tcase_add_checked_fixture(uart, uart_setup, uart_teardown);
	tcase_add_test(uart, test_uart_ops_table);
	tcase_add_test(uart, test_uart_reset_state);
	tcase_add_test(uart, test_uart_thr_output);
	tcase_add_test(uart, test_uart_wide_access);
	tcase_add_test(uart, test_uart_out_of_range);
	tcase_add_test(uart, test_uart_thri);
	tcase_add_test(uart, test_uart_thri_disable_lowers);
	tcase_add_test(uart, test_uart_ier_reserved_bits);
	tcase_add_test(uart, test_uart_fifo_iir_bits);
	tcase_add_test(uart, test_uart_receive);
	tcase_add_test(uart, test_uart_receive_polled);
	tcase_add_test(uart, test_uart_rdi_before_thri);
	tcase_add_test(uart, test_uart_fifo_full);
	tcase_add_test(uart, test_uart_fcr_clear_rx);
	tcase_add_test(uart, test_uart_dlab);
	tcase_add_test(uart, test_uart_loopback);
	tcase_add_test(uart, test_uart_scratch);
	tcase_add_test(uart, test_uart_reset);
	tcase_add_test(uart, test_uart_reset_idle);
	tcase_add_test(uart, test_uart_fcr_clear_full_fifo_ready);
	suite_add_tcase(s, uart);

	tcase_add_checked_fixture(exitdev, exit_setup, NULL);
	tcase_add_test(exitdev, test_exit_ops_table);
	tcase_add_test(exitdev, test_exit_magic);
	tcase_add_loop_test(exitdev, test_exit_status, 0,
			    sizeof(exit_values) / sizeof(exit_values[0]));
	tcase_add_test(exitdev, test_exit_ignored_accesses);
	suite_add_tcase(s, exitdev);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
