/* test_virtqueue.c: unit tests for the split virtqueue (devices/virtqueue.h) against rings in fake guest RAM. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "tests/unit/vring.h"

#define NUM		16
#define BUF(n)		(GUEST_DATA_GPA + (uint64_t)(n) * 0x1000)	/* a 4 KiB data page */
#define RAM_END		(GUEST_RAM_GPA + GUEST_RAM_SIZE)

static struct gmem mem;
static struct fake_vq f;
static struct virtqueue vq;
static struct vq_chain chain;	/* 8 KiB: not on the test's stack */

static void setup(void)
{
	guest_ram_init(&mem);
	fake_vq_init(&f, &mem, 0, NUM);
	vq_reset(&vq);
	vq.num = NUM;
	vq.desc_gpa = f.desc;
	vq.avail_gpa = f.avail;
	vq.used_gpa = f.used;
	ck_assert_ptr_null(vq_enable(&vq, &mem));
}

static void teardown(void)
{
	guest_ram_free(&mem);
}

/* vq_pop() must return 1. */
static void pop_ok(void)
{
	const char *why = NULL;
	int ret = vq_pop(&vq, &mem, &chain, &why);

	ck_assert_msg(ret == 1, "vq_pop = %d (%s)", ret, why ? why : "-");
}

/* vq_pop() must fail with a reason containing want, and leave the ring position alone. */
static void pop_broken(const char *want)
{
	uint16_t last = vq.last_avail;
	const char *why = NULL;
	int ret = vq_pop(&vq, &mem, &chain, &why);

	ck_assert_int_eq(ret, -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want), "reason \"%s\" lacks \"%s\"", why, want);
	ck_assert_uint_eq(vq.last_avail, last);
}

static void pop_empty(void)
{
	const char *why = NULL;

	ck_assert_int_eq(vq_pop(&vq, &mem, &chain, &why), 0);
}

START_TEST(test_enable_maps_rings)
{
	ck_assert(vq.ready);
	ck_assert_ptr_eq(vq.desc, guest_ptr(&mem, f.desc, 1));
	ck_assert_ptr_eq(vq.avail, guest_ptr(&mem, f.avail, 1));
	ck_assert_ptr_eq(vq.used, guest_ptr(&mem, f.used, 1));
	ck_assert_uint_eq(vq.last_avail, 0);
	ck_assert_uint_eq(vq.used_idx, 0);
}
END_TEST

START_TEST(test_enable_sizes_ok)
{
	static const uint16_t sizes[] = { 1, 2, 128, 256 };
	unsigned i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		vq.ready = false;
		vq.num = sizes[i];
		ck_assert_ptr_null(vq_enable(&vq, &mem));
		ck_assert(vq.ready);
	}
}
END_TEST

static const struct enable_bad {
	uint16_t num;
	int64_t desc_off, avail_off, used_off;	/* added to the good addresses */
	uint64_t desc_abs;			/* if set, the descriptor table's address */
	const char *why;
} enable_bad[] = {
	{ 0, 0, 0, 0, 0, "power of two" },
	{ 3, 0, 0, 0, 0, "power of two" },
	{ 24, 0, 0, 0, 0, "power of two" },
	{ 512, 0, 0, 0, 0, "power of two" },
	{ NUM, 8, 0, 0, 0, "misaligned" },
	{ NUM, 0, 1, 0, 0, "misaligned" },
	{ NUM, 0, 0, 2, 0, "misaligned" },
	{ NUM, 0, 0, 0, GUEST_RAM_GPA - 0x1000, "outside guest RAM" },
	{ NUM, 0, 0, 0, RAM_END - 0x80, "outside guest RAM" },	/* 16 * 16 bytes don't fit */
	{ NUM, 0, 0, 0, 0xfffffffffffffff0ULL, "outside guest RAM" },
	{ NUM, 0, (int64_t)(RAM_END - 4) - (int64_t)(GUEST_RAM_GPA + 0x1000), 0, 0,
	  "outside guest RAM" },
	{ NUM, 0, 0, (int64_t)(RAM_END - 64) - (int64_t)(GUEST_RAM_GPA + 0x2000), 0,
	  "outside guest RAM" },
};

START_TEST(test_enable_bad)
{
	const struct enable_bad *t = &enable_bad[_i];
	const char *why;

	vq_reset(&vq);
	vq.num = t->num;
	vq.desc_gpa = t->desc_abs ? t->desc_abs : f.desc + t->desc_off;
	vq.avail_gpa = f.avail + t->avail_off;
	vq.used_gpa = f.used + t->used_off;
	why = vq_enable(&vq, &mem);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, t->why), "reason \"%s\" lacks \"%s\"", why, t->why);
	ck_assert(!vq.ready);
	pop_empty();	/* a queue that never became ready offers nothing */
}
END_TEST

START_TEST(test_empty_ring)
{
	pop_empty();
	ck_assert_uint_eq(vq.last_avail, 0);
}
END_TEST

START_TEST(test_pop_readable_and_writable)
{
	const struct fake_buf bufs[] = {
		{ BUF(0), 16, false }, { BUF(1), 100, false },
		{ BUF(2), 512, true }, { BUF(3), 1, true },
	};
	uint16_t head = fake_post(&f, bufs, 4);

	pop_ok();
	ck_assert_uint_eq(chain.head, head);
	ck_assert_uint_eq(chain.nr_out, 2);
	ck_assert_uint_eq(chain.nr_in, 2);
	ck_assert_ptr_eq(chain.out[0].ptr, guest_ptr(&mem, BUF(0), 16));
	ck_assert_uint_eq(chain.out[0].len, 16);
	ck_assert_ptr_eq(chain.out[1].ptr, guest_ptr(&mem, BUF(1), 100));
	ck_assert_uint_eq(chain.out[1].len, 100);
	ck_assert_ptr_eq(chain.in[0].ptr, guest_ptr(&mem, BUF(2), 512));
	ck_assert_uint_eq(chain.in[0].len, 512);
	ck_assert_ptr_eq(chain.in[1].ptr, guest_ptr(&mem, BUF(3), 1));
	ck_assert_uint_eq(chain.out_len, 116);
	ck_assert_uint_eq(chain.in_len, 513);
	ck_assert_uint_eq(vq.last_avail, 1);
	pop_empty();
}
END_TEST

START_TEST(test_pop_only_writable_and_only_readable)
{
	const struct fake_buf w = { BUF(0), 64, true }, r = { BUF(1), 32, false };

	fake_post(&f, &w, 1);
	fake_post(&f, &r, 1);
	pop_ok();
	ck_assert_uint_eq(chain.nr_out, 0);
	ck_assert_uint_eq(chain.nr_in, 1);
	ck_assert_uint_eq(chain.in_len, 64);
	pop_ok();
	ck_assert_uint_eq(chain.nr_out, 1);
	ck_assert_uint_eq(chain.nr_in, 0);
	ck_assert_uint_eq(chain.out_len, 32);
	ck_assert_uint_eq(chain.in_len, 0);
}
END_TEST

START_TEST(test_pop_in_avail_order)
{
	const struct fake_buf b = { BUF(0), 8, true };
	uint16_t h0 = fake_chain(&f, &b, 1), h1 = fake_chain(&f, &b, 1), h2 = fake_chain(&f, &b, 1);

	/* The driver may offer chains in any order; the device follows the ring. */
	fake_avail(&f, h2);
	fake_avail(&f, h0);
	fake_avail(&f, h1);
	pop_ok();
	ck_assert_uint_eq(chain.head, h2);
	pop_ok();
	ck_assert_uint_eq(chain.head, h0);
	pop_ok();
	ck_assert_uint_eq(chain.head, h1);
	pop_empty();
}
END_TEST

START_TEST(test_chain_of_whole_queue)
{
	struct fake_buf bufs[NUM];
	unsigned i;

	for (i = 0; i < NUM; i++)
		bufs[i] = (struct fake_buf){ BUF(i), 4, i >= NUM / 2 };
	fake_post(&f, bufs, NUM);
	pop_ok();
	ck_assert_uint_eq(chain.nr_out, NUM / 2);
	ck_assert_uint_eq(chain.nr_in, NUM / 2);
	ck_assert_uint_eq(chain.in_len, 4 * NUM / 2);
}
END_TEST

START_TEST(test_buffer_at_ram_edges)
{
	const struct fake_buf bufs[] = {
		{ GUEST_RAM_GPA + 0x70000, 0, false },		/* empty buffer: allowed */
		{ RAM_END - 16, 16, true },			/* ends exactly at the end */
	};

	fake_post(&f, bufs, 2);
	pop_ok();
	ck_assert_ptr_eq(chain.in[0].ptr, mem.host + GUEST_RAM_SIZE - 16);
	ck_assert_uint_eq(chain.out_len, 0);
}
END_TEST

START_TEST(test_chain_read_write)
{
	const struct fake_buf bufs[] = {
		{ BUF(0), 3, false }, { BUF(1), 5, false }, { BUF(2), 4, true }, { BUF(3), 6, true },
	};
	uint8_t out[16];

	memcpy(guest_ptr(&mem, BUF(0), 3), "abc", 3);
	memcpy(guest_ptr(&mem, BUF(1), 5), "defgh", 5);
	fake_post(&f, bufs, 4);
	pop_ok();

	memset(out, 0, sizeof(out));
	ck_assert_uint_eq(vq_chain_read(&chain, 0, out, sizeof(out)), 8);
	ck_assert_str_eq((char *)out, "abcdefgh");
	memset(out, 0, sizeof(out));
	ck_assert_uint_eq(vq_chain_read(&chain, 2, out, 4), 4);	/* spans both buffers */
	ck_assert_str_eq((char *)out, "cdef");
	ck_assert_uint_eq(vq_chain_read(&chain, 8, out, 4), 0);	/* past the end */
	ck_assert_uint_eq(vq_chain_read(&chain, 100, out, 4), 0);

	ck_assert_uint_eq(vq_chain_write(&chain, 2, "WXYZ", 4), 4);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, BUF(2), 4), "\0\0WX", 4), 0);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, BUF(3), 2), "YZ", 2), 0);
	/* Cut short at the end of the writable part; readable buffers untouched. */
	ck_assert_uint_eq(vq_chain_write(&chain, 7, "0123456", 7), 3);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, BUF(3), 6), "YZ\0" "012", 6), 0);
	ck_assert_int_eq(memcmp(guest_ptr(&mem, BUF(0), 3), "abc", 3), 0);
}
END_TEST

START_TEST(test_iov)
{
	const struct fake_buf bufs[] = {
		{ BUF(0), 10, true }, { BUF(1), 0, true }, { BUF(2), 20, true }, { BUF(3), 30, true },
	};
	struct iovec iov[4];

	fake_post(&f, bufs, 4);
	pop_ok();
	/* Skip 12: 2 bytes into the third buffer (the empty one is left out). */
	ck_assert_uint_eq(vq_iov(chain.in, chain.nr_in, 12, 25, iov), 2);
	ck_assert_ptr_eq(iov[0].iov_base, guest_ptr(&mem, BUF(2) + 2, 18));
	ck_assert_uint_eq(iov[0].iov_len, 18);
	ck_assert_ptr_eq(iov[1].iov_base, guest_ptr(&mem, BUF(3), 7));
	ck_assert_uint_eq(iov[1].iov_len, 7);
	/* Everything; then a range running past the end is cut short. */
	ck_assert_uint_eq(vq_iov(chain.in, chain.nr_in, 0, 60, iov), 3);
	ck_assert_uint_eq(iov[0].iov_len + iov[1].iov_len + iov[2].iov_len, 60);
	ck_assert_uint_eq(vq_iov(chain.in, chain.nr_in, 55, 100, iov), 1);
	ck_assert_uint_eq(iov[0].iov_len, 5);
	ck_assert_uint_eq(vq_iov(chain.in, chain.nr_in, 60, 10, iov), 0);
	ck_assert_uint_eq(vq_iov(chain.in, chain.nr_in, 0, 0, iov), 0);
}
END_TEST

START_TEST(test_push_used_ring)
{
	const struct fake_buf b = { BUF(0), 8, true };
	uint16_t h0 = fake_post(&f, &b, 1), h1 = fake_post(&f, &b, 1);
	uint32_t id, len;

	pop_ok();
	pop_ok();
	ck_assert_uint_eq(fake_used_idx(&f), 0);
	/* Completion order is the device's choice. */
	vq_push(&vq, h1, 7);
	ck_assert_uint_eq(fake_used_idx(&f), 1);
	vq_push(&vq, h0, 0);
	ck_assert_uint_eq(fake_used_idx(&f), 2);
	fake_used_elem(&f, 0, &id, &len);
	ck_assert_uint_eq(id, h1);
	ck_assert_uint_eq(len, 7);
	fake_used_elem(&f, 1, &id, &len);
	ck_assert_uint_eq(id, h0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* Free-running 16-bit indices (2.7.6): start just below the wrap and cross it. */
START_TEST(test_index_wraparound)
{
	const struct fake_buf b = { BUF(0), 8, true };
	uint16_t heads[6];
	uint32_t id, len;
	unsigned i;

	fake_set_avail_idx(&f, 0xfffd);
	vq.last_avail = vq.used_idx = 0xfffd;
	for (i = 0; i < 6; i++)
		heads[i] = fake_post(&f, &b, 1);
	ck_assert_uint_eq(f.avail_idx, 3);
	for (i = 0; i < 6; i++) {
		pop_ok();
		ck_assert_uint_eq(chain.head, heads[i]);
		vq_push(&vq, chain.head, 100 + i);
	}
	pop_empty();
	ck_assert_uint_eq(vq.last_avail, 3);
	ck_assert_uint_eq(fake_used_idx(&f), 3);
	for (i = 0; i < 6; i++) {
		fake_used_elem(&f, (uint16_t)(0xfffd + i), &id, &len);
		ck_assert_uint_eq(id, heads[i]);
		ck_assert_uint_eq(len, 100 + i);
	}
}
END_TEST

START_TEST(test_bad_buffer_outside_ram)
{
	fake_desc(&f, 0, RAM_END - 8, 16, 0, 0);
	fake_avail(&f, 0);
	pop_broken("outside guest RAM");
}
END_TEST

START_TEST(test_bad_buffer_below_ram)
{
	fake_desc(&f, 0, GUEST_RAM_GPA - 16, 16, VQ_DESC_F_WRITE, 0);
	fake_avail(&f, 0);
	pop_broken("outside guest RAM");
}
END_TEST

START_TEST(test_bad_buffer_addr_len_overflow)
{
	fake_desc(&f, 0, 0xfffffffffffff000ULL, 0x2000, VQ_DESC_F_WRITE, 0);
	fake_avail(&f, 0);
	pop_broken("outside guest RAM");
}
END_TEST

START_TEST(test_bad_second_buffer_outside_ram)
{
	fake_desc(&f, 0, BUF(0), 16, VQ_DESC_F_NEXT, 1);
	fake_desc(&f, 1, BUF(1), 0xffffffff, VQ_DESC_F_WRITE, 0);
	fake_avail(&f, 0);
	pop_broken("outside guest RAM");
}
END_TEST

START_TEST(test_bad_next_out_of_range)
{
	fake_desc(&f, 0, BUF(0), 16, VQ_DESC_F_NEXT, NUM);
	fake_avail(&f, 0);
	pop_broken("next index out of range");
}
END_TEST

START_TEST(test_bad_loop)
{
	fake_desc(&f, 0, BUF(0), 16, VQ_DESC_F_NEXT, 1);
	fake_desc(&f, 1, BUF(1), 16, VQ_DESC_F_NEXT, 0);
	fake_avail(&f, 0);
	pop_broken("loop");
}
END_TEST

START_TEST(test_bad_self_loop)
{
	fake_desc(&f, 5, BUF(0), 16, VQ_DESC_F_NEXT, 5);
	fake_avail(&f, 5);
	pop_broken("loop");
}
END_TEST

/* NUM + 1 links can only revisit a descriptor: the whole table as one cycle. */
START_TEST(test_bad_chain_longer_than_queue)
{
	unsigned i;

	for (i = 0; i < NUM; i++)
		fake_desc(&f, i, BUF(i), 4, VQ_DESC_F_NEXT, (i + 1) % NUM);
	fake_avail(&f, 3);
	pop_broken("longer than the queue");
}
END_TEST

START_TEST(test_bad_indirect)
{
	fake_desc(&f, 0, BUF(0), 16, VQ_DESC_F_INDIRECT, 0);
	fake_avail(&f, 0);
	pop_broken("indirect");
}
END_TEST

START_TEST(test_bad_indirect_in_chain)
{
	fake_desc(&f, 0, BUF(0), 16, VQ_DESC_F_NEXT, 1);
	fake_desc(&f, 1, BUF(1), 16, VQ_DESC_F_INDIRECT | VQ_DESC_F_WRITE, 0);
	fake_avail(&f, 0);
	pop_broken("indirect");
}
END_TEST

START_TEST(test_bad_readable_after_writable)
{
	const struct fake_buf bufs[] = { { BUF(0), 16, true }, { BUF(1), 16, false } };

	fake_post(&f, bufs, 2);
	pop_broken("readable descriptor after a device-writable");
}
END_TEST

START_TEST(test_avail_idx_jump)
{
	const struct fake_buf b = { BUF(0), 8, true };
	unsigned i;

	for (i = 0; i < NUM; i++)
		fake_chain(&f, &b, 1);
	/* Exactly num outstanding is legal... */
	fake_set_avail_idx(&f, NUM);
	pop_ok();
	/* ...one more than num past the device is not. */
	fake_set_avail_idx(&f, 1 + NUM + 1);
	pop_broken("past the ring size");
	/* Going backwards looks the same modulo 2^16. */
	fake_set_avail_idx(&f, 0);
	pop_broken("past the ring size");
}
END_TEST

START_TEST(test_bad_avail_entry)
{
	fake_desc(&f, 0, BUF(0), 8, VQ_DESC_F_WRITE, 0);
	fake_avail(&f, NUM);
	pop_broken("available ring entry out of range");
	/* The entry is re-read: once the driver fixes it the chain pops. */
	fake_set_avail_idx(&f, 0);
	fake_avail(&f, 0);
	pop_ok();
	ck_assert_uint_eq(chain.head, 0);
}
END_TEST

START_TEST(test_no_interrupt_flag)
{
	ck_assert(vq_should_notify(&vq));
	fake_set_avail_flags(&f, VQ_AVAIL_F_NO_INTERRUPT);
	ck_assert(!vq_should_notify(&vq));
	fake_set_avail_flags(&f, 0);
	ck_assert(vq_should_notify(&vq));
}
END_TEST

START_TEST(test_reset)
{
	const struct fake_buf b = { BUF(0), 8, true };

	fake_post(&f, &b, 1);
	pop_ok();
	vq_reset(&vq);
	ck_assert(!vq.ready);
	ck_assert_uint_eq(vq.num, 0);
	ck_assert_uint_eq(vq.last_avail, 0);
	ck_assert_ptr_null(vq.desc);
	pop_empty();
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("bad");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(ok, test_enable_maps_rings);
	tcase_add_test(ok, test_enable_sizes_ok);
	tcase_add_test(ok, test_empty_ring);
	tcase_add_test(ok, test_pop_readable_and_writable);
	tcase_add_test(ok, test_pop_only_writable_and_only_readable);
	tcase_add_test(ok, test_pop_in_avail_order);
	tcase_add_test(ok, test_chain_of_whole_queue);
	tcase_add_test(ok, test_buffer_at_ram_edges);
	tcase_add_test(ok, test_chain_read_write);
	tcase_add_test(ok, test_iov);
	tcase_add_test(ok, test_push_used_ring);
	tcase_add_test(ok, test_index_wraparound);
	tcase_add_test(ok, test_no_interrupt_flag);
	tcase_add_test(ok, test_reset);
	tcase_add_loop_test(bad, test_enable_bad, 0, sizeof(enable_bad) / sizeof(enable_bad[0]));
	tcase_add_test(bad, test_bad_buffer_outside_ram);
	tcase_add_test(bad, test_bad_buffer_below_ram);
	tcase_add_test(bad, test_bad_buffer_addr_len_overflow);
	tcase_add_test(bad, test_bad_second_buffer_outside_ram);
	tcase_add_test(bad, test_bad_next_out_of_range);
	tcase_add_test(bad, test_bad_loop);
	tcase_add_test(bad, test_bad_self_loop);
	tcase_add_test(bad, test_bad_chain_longer_than_queue);
	tcase_add_test(bad, test_bad_indirect);
	tcase_add_test(bad, test_bad_indirect_in_chain);
	tcase_add_test(bad, test_bad_readable_after_writable);
	tcase_add_test(bad, test_avail_idx_jump);
	tcase_add_test(bad, test_bad_avail_entry);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtqueue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
