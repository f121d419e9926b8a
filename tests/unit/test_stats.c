/* test_stats.c: unit tests for KVM binary statistics (vmm/stats.h): the schema parser on crafted and malformed buffers, units, values, the table. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>

#include "vmm/stats.h"

#define HDR_SIZE sizeof(struct kvm_stats_header)
#define DESC_SIZE sizeof(struct kvm_stats_desc)
#define NAME_SIZE 48	/* KVM's KVM_STATS_NAME_SIZE */

#define CUM (KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define NS (KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
#define PEAK (KVM_STATS_TYPE_PEAK | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define LOGH (KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
#define LINH (KVM_STATS_TYPE_LINEAR_HIST | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)

struct fake_desc {
	const char *name;
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
	uint32_t offset;
	uint32_t bucket_size;
};

/* A vcpu stats file as KVM lays it out: header, id, descriptors, then the data block. */
static const struct fake_desc vcpu_descs[] = {
	{ "exits", CUM, 0, 1, 0, 0 },
	{ "halt_wait_ns", NS, -9, 1, 8, 0 },
	{ "halt_wait_hist", LOGH, -9, 32, 16, 0 },
	{ "mmio_exit_user", CUM, 0, 1, 272, 0 },
	{ "blocking", PEAK, 0, 1, 280, 0 },
	{ "lin_hist", LINH, 0, 4, 288, 10 },
};
#define NR_VCPU_DESCS (sizeof(vcpu_descs) / sizeof(vcpu_descs[0]))

static uint8_t buf[65536];
static struct err e;

static struct kvm_stats_header *hdr(void)
{
	return (struct kvm_stats_header *)buf;
}

/* Lays out a stats file in buf with name_size ns; returns its length (through the data block). */
static size_t build(uint32_t ns, const char *id, const struct fake_desc *d, unsigned n, uint32_t data_size)
{
	struct kvm_stats_header h = {
		.name_size = ns,
		.num_desc = n,
		.id_offset = HDR_SIZE,
		.desc_offset = HDR_SIZE + ns,
		.data_offset = HDR_SIZE + ns + n * (DESC_SIZE + ns),
	};
	unsigned i;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	strncpy((char *)buf + h.id_offset, id, ns);
	for (i = 0; i < n; i++) {
		uint8_t *p = buf + h.desc_offset + i * (DESC_SIZE + ns);
		struct kvm_stats_desc raw = {
			.flags = d[i].flags,
			.exponent = d[i].exponent,
			.size = d[i].size,
			.offset = d[i].offset,
			.bucket_size = d[i].bucket_size,
		};

		memcpy(p, &raw, DESC_SIZE);
		strncpy((char *)p + DESC_SIZE, d[i].name, ns);
	}
	return h.data_offset + data_size;
}

static size_t build_vcpu(void)
{
	return build(NAME_SIZE, "kvm-42/vcpu-0", vcpu_descs, NR_VCPU_DESCS, 320);
}

/* The byte at which descriptor i of a build() with name_size ns starts. */
static uint8_t *desc_at(uint32_t ns, unsigned i)
{
	return buf + HDR_SIZE + ns + i * (DESC_SIZE + ns);
}

#define PARSE_FAIL(len, want)								\
	do {										\
		struct stats_schema s_;							\
		err_clear(&e);								\
		ck_assert_int_lt(stats_parse_schema(buf, (len), &s_, &e), 0);		\
		ck_assert_msg(strstr(e.msg, (want)), "message '%s' lacks '%s'", e.msg, (want));	\
		ck_assert_ptr_null(s_.desc);						\
	} while (0)

START_TEST(test_parse_valid)
{
	size_t len = build_vcpu();
	struct stats_schema s;

	err_clear(&e);
	ck_assert_int_eq(stats_schema_size(buf, len, &e), HDR_SIZE + NAME_SIZE + NR_VCPU_DESCS * (DESC_SIZE + NAME_SIZE));
	ck_assert_int_eq(stats_parse_schema(buf, len, &s, &e), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert_str_eq(s.id, "kvm-42/vcpu-0");
	ck_assert_uint_eq(s.num_desc, NR_VCPU_DESCS);
	ck_assert_uint_eq(s.data_offset, hdr()->data_offset);
	ck_assert_uint_eq(s.data_size, 320);	/* lin_hist: 288 + 4 * 8 */
	ck_assert_str_eq(s.desc[1].name, "halt_wait_ns");
	ck_assert_int_eq(s.desc[1].exponent, -9);
	ck_assert_uint_eq(s.desc[2].size, 32);
	ck_assert_uint_eq(s.desc[2].offset, 16);
	ck_assert_uint_eq(s.desc[5].bucket_size, 10);
	ck_assert_int_eq(stats_find(&s, "mmio_exit_user"), 3);
	ck_assert_int_eq(stats_find(&s, "mmio_exit"), -1);
	stats_schema_free(&s);
	ck_assert_ptr_null(s.desc);
}
END_TEST

START_TEST(test_parse_schema_only)
{
	/* The data block is not needed to parse: only header, id and descriptors. */
	size_t len = build_vcpu();
	struct stats_schema s;

	ck_assert_int_eq(stats_parse_schema(buf, hdr()->data_offset, &s, &e), 0);
	stats_schema_free(&s);
	ck_assert(len > hdr()->data_offset);
}
END_TEST

START_TEST(test_parse_no_descriptors)
{
	struct stats_schema s;
	size_t len = build(NAME_SIZE, "kvm-1", NULL, 0, 0);

	err_clear(&e);
	ck_assert_int_eq(stats_parse_schema(buf, len, &s, &e), 0);
	ck_assert_uint_eq(s.num_desc, 0);
	ck_assert_uint_eq(s.data_size, 0);
	stats_schema_free(&s);
}
END_TEST

START_TEST(test_parse_truncated)
{
	size_t len = build_vcpu();

	PARSE_FAIL(0, "header truncated");
	PARSE_FAIL(HDR_SIZE - 1, "header truncated (23 of 24 bytes)");
	/* The header is whole but the descriptors are cut short. */
	PARSE_FAIL(HDR_SIZE, "only 24 read");
	PARSE_FAIL(hdr()->data_offset - 1, "read");
	ck_assert(len > 0);
}
END_TEST

START_TEST(test_parse_name_size)
{
	build_vcpu();
	hdr()->name_size = 0;
	PARSE_FAIL(sizeof(buf), "name size 0 out of range");
	hdr()->name_size = STATS_NAME_MAX + 1;
	PARSE_FAIL(sizeof(buf), "name size 257 out of range");
	hdr()->name_size = UINT32_MAX;
	PARSE_FAIL(sizeof(buf), "out of range");
}
END_TEST

START_TEST(test_parse_count_overflow)
{
	build_vcpu();
	hdr()->num_desc = UINT32_MAX;
	PARSE_FAIL(sizeof(buf), "4294967295 descriptors");
	hdr()->num_desc = STATS_DESC_MAX + 1;
	PARSE_FAIL(sizeof(buf), "descriptors, at most");
	/* In range, but the block would reach past what a reader may read. */
	build_vcpu();
	hdr()->num_desc = STATS_DESC_MAX;
	hdr()->name_size = STATS_NAME_MAX;
	PARSE_FAIL(sizeof(buf), "beyond");
}
END_TEST

START_TEST(test_parse_offsets)
{
	build_vcpu();
	hdr()->desc_offset = UINT32_MAX;
	PARSE_FAIL(sizeof(buf), "beyond");
	build_vcpu();
	hdr()->id_offset = UINT32_MAX - 8;
	PARSE_FAIL(sizeof(buf), "beyond");
	build_vcpu();
	hdr()->desc_offset = 4;
	PARSE_FAIL(sizeof(buf), "inside the header");
	build_vcpu();
	hdr()->id_offset = 0;
	PARSE_FAIL(sizeof(buf), "inside the header");
}
END_TEST

START_TEST(test_parse_names)
{
	build_vcpu();
	/* The id fills its name_size bytes without a NUL. */
	memset(buf + HDR_SIZE, 'x', NAME_SIZE);
	PARSE_FAIL(sizeof(buf), "id 0 is not NUL-terminated");
	build_vcpu();
	memset(desc_at(NAME_SIZE, 2) + DESC_SIZE, 'y', NAME_SIZE);
	PARSE_FAIL(sizeof(buf), "descriptor 2 is not NUL-terminated");
	build_vcpu();
	desc_at(NAME_SIZE, 1)[DESC_SIZE] = '\0';
	PARSE_FAIL(sizeof(buf), "descriptor 1 has an empty name");
}
END_TEST

/* Rewrites field values of descriptor i of a build_vcpu() buffer. */
static void set_desc(unsigned i, uint16_t size, uint32_t offset, uint32_t bucket_size)
{
	struct kvm_stats_desc raw;

	memcpy(&raw, desc_at(NAME_SIZE, i), DESC_SIZE);
	raw.size = size;
	raw.offset = offset;
	raw.bucket_size = bucket_size;
	memcpy(desc_at(NAME_SIZE, i), &raw, DESC_SIZE);
}

START_TEST(test_parse_items)
{
	build_vcpu();
	set_desc(0, 0, 0, 0);
	PARSE_FAIL(sizeof(buf), "exits has 0 items");
	build_vcpu();
	set_desc(0, STATS_ITEMS_MAX + 1, 0, 0);
	PARSE_FAIL(sizeof(buf), "exits has 4097 items");
	build_vcpu();
	set_desc(0, 1, 4, 0);
	PARSE_FAIL(sizeof(buf), "exits at data offset 4 (1 items) out of range");
	build_vcpu();
	/* offset + size * 8 wraps in 32 bits. */
	set_desc(3, 2, UINT32_MAX - 7, 0);
	PARSE_FAIL(sizeof(buf), "mmio_exit_user at data offset");
	build_vcpu();
	set_desc(3, 1, STATS_DATA_MAX, 0);
	PARSE_FAIL(sizeof(buf), "out of range");
	build_vcpu();
	set_desc(5, 4, 288, 0);
	PARSE_FAIL(sizeof(buf), "linear histogram lin_hist has bucket size 0");
}
END_TEST

START_TEST(test_parse_random_corruption)
{
	/* Whatever bytes change, the parser fails cleanly or returns a schema within its limits. */
	size_t len = build_vcpu();
	uint8_t good[sizeof(buf)];
	unsigned round, k;

	memcpy(good, buf, len);
	srand(1234);
	for (round = 0; round < 20000; round++) {
		struct stats_schema s;
		size_t cut = round % 7 ? len : (size_t)rand() % (len + 1);

		memcpy(buf, good, len);
		for (k = 0; k < 1 + round % 4; k++) {
			size_t at = (size_t)rand() % (round % 2 ? HDR_SIZE : len);

			buf[at] = (uint8_t)rand();
		}
		if (stats_parse_schema(buf, cut, &s, NULL) == 0) {
			ck_assert_uint_le(s.data_size, STATS_DATA_MAX);
			for (k = 0; k < s.num_desc; k++)
				ck_assert_uint_le(s.desc[k].offset + s.desc[k].size * 8u, s.data_size);
			stats_schema_free(&s);
		}
	}
}
END_TEST

static struct stats_desc desc_of(uint32_t flags, int16_t exponent, uint16_t size, uint32_t bucket_size)
{
	struct stats_desc d = { .flags = flags, .exponent = exponent, .size = size, .bucket_size = bucket_size };

	strcpy(d.name, "x");
	return d;
}

START_TEST(test_units)
{
	char b[32];
	struct stats_desc d;

	d = desc_of(CUM, 0, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "");
	d = desc_of(NS, -9, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "ns");
	d = desc_of(NS, -6, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "us");
	d = desc_of(NS, 0, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "s");
	d = desc_of(NS, -2, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "10^-2 s");
	d = desc_of(KVM_STATS_UNIT_BYTES | KVM_STATS_BASE_POW2, 10, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "KiB");
	d = desc_of(KVM_STATS_UNIT_BYTES | KVM_STATS_BASE_POW2, 12, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "2^12 B");
	/* KiB is a power of two: 10^10 bytes is not one. */
	d = desc_of(KVM_STATS_UNIT_BYTES | KVM_STATS_BASE_POW10, 10, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "10^10 B");
	d = desc_of(KVM_STATS_UNIT_CYCLES, 0, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "cycles");
	d = desc_of(KVM_STATS_UNIT_BOOLEAN, 0, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "bool");
	d = desc_of(CUM, 3, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "10^3");
	d = desc_of(0xF << KVM_STATS_UNIT_SHIFT, 0, 1, 0);
	ck_assert_str_eq(stats_unit(&d, b, sizeof(b)), "?");
}
END_TEST

START_TEST(test_values)
{
	uint64_t one[] = { 12345 };
	uint64_t log[8] = { 2, 1, 0, 4, 0, 0, 0, 3 };
	uint64_t lin[4] = { 0, 5, 0, 1 };
	uint64_t big[2] = { UINT64_MAX, 2 };
	struct stats_desc d;
	char b[256];

	d = desc_of(CUM, 0, 1, 0);
	stats_format_value(&d, one, false, b, sizeof(b));
	ck_assert_str_eq(b, "12345");
	d = desc_of(LOGH, -9, 8, 0);
	stats_format_value(&d, log, false, b, sizeof(b));
	ck_assert_str_eq(b, "n=10");
	/* Log buckets: 0, 1, [2,3], [4,7], ... the last open-ended. */
	stats_format_value(&d, log, true, b, sizeof(b));
	ck_assert_str_eq(b, "0:2 1:1 4-7:4 64+:3");
	d = desc_of(LINH, 0, 4, 10);
	stats_format_value(&d, lin, true, b, sizeof(b));
	ck_assert_str_eq(b, "10-19:5 30+:1");
	stats_format_value(&d, (uint64_t[4]){ 0 }, true, b, sizeof(b));
	ck_assert_str_eq(b, "");
	d = desc_of(LINH, 0, 2, 1);
	stats_format_value(&d, big, false, b, sizeof(b));
	ck_assert_str_eq(b, "n=18446744073709551615");	/* saturated */
	stats_format_value(&d, big, true, b, sizeof(b));
	ck_assert_str_eq(b, "0:18446744073709551615 1+:2");
	/* Truncation stays inside the buffer. */
	stats_format_value(&d, big, true, b, 8);
	ck_assert_str_eq(b, "0:18446");
}
END_TEST

START_TEST(test_log_buckets_far)
{
	/* Buckets beyond 2^63 must not shift out of range. */
	static uint64_t items[70];
	struct stats_desc d = desc_of(LOGH, 0, 70, 0);
	char b[256];

	items[65] = 1;
	items[69] = 1;
	stats_format_value(&d, items, true, b, sizeof(b));
	ck_assert_str_eq(b, "18446744073709551615:1 18446744073709551615+:1");
	items[64] = 1;
	items[65] = items[69] = 0;
	stats_format_value(&d, items, true, b, sizeof(b));
	ck_assert_str_eq(b, "9223372036854775808-18446744073709551615:1");
}
END_TEST

START_TEST(test_proc_cpu)
{
	const char *line = "1234 (vcpu0) S 1 1234 1234 0 -1 4194624 0 0 0 0 5 3 0 0 20 0 3 0 100 0 0 "
			   "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 -1 3 0 0 0 0 0\n";
	/* A comm with spaces and parentheses: fields count from the last ')'. */
	const char *odd = "77 (a) b (c) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 "
			  "26 27 28 29 30 31 32 33 34 35 17 0";

	ck_assert_int_eq(stats_parse_proc_cpu(line), 3);
	ck_assert_int_eq(stats_parse_proc_cpu(odd), 17);
	ck_assert_int_eq(stats_parse_proc_cpu("1 (x) S 1 2 3"), -EINVAL);
	ck_assert_int_eq(stats_parse_proc_cpu("no parenthesis"), -EINVAL);
	ck_assert_int_eq(stats_parse_proc_cpu(""), -EINVAL);
	ck_assert_int_eq(stats_parse_proc_cpu("77 (a) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
					      "24 25 26 27 28 29 30 31 32 33 34 35 x7 0"), -EINVAL);
	ck_assert_int_eq(stats_parse_proc_cpu("77 (a) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 "
					      "24 25 26 27 28 29 30 31 32 33 34 35 99999999999 0"), -EINVAL);
}
END_TEST

/* The table's text for a VM schema and nr vcpus sharing the vcpu schema (vcpu 1 without mmio_exit_user). */
static char *table(unsigned nr)
{
	static const struct fake_desc vm_descs[] = { { "remote_tlb_flush", CUM, 0, 1, 0, 0 } };
	struct stats_schema vm_schema, vcpu_schema, short_schema;
	struct stats_snapshot vm, vcpus[10];
	struct vcpu_place places[10];
	uint64_t vm_data[1] = { 7 }, vcpu_data[40] = { 0 };
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	unsigned i;

	ck_assert_ptr_nonnull(f);
	build(NAME_SIZE, "kvm-42", vm_descs, 1, 8);
	ck_assert_int_eq(stats_parse_schema(buf, sizeof(buf), &vm_schema, &e), 0);
	build_vcpu();
	ck_assert_int_eq(stats_parse_schema(buf, sizeof(buf), &vcpu_schema, &e), 0);
	build(NAME_SIZE, "kvm-42/vcpu-1", vcpu_descs, 3, 272);
	ck_assert_int_eq(stats_parse_schema(buf, sizeof(buf), &short_schema, &e), 0);
	vcpu_data[0] = 4321;		/* exits */
	vcpu_data[2 + 10] = 6;		/* halt_wait_hist bucket 10: [512, 1023] */
	vcpu_data[34] = 99;		/* mmio_exit_user */
	vm = (struct stats_snapshot){ &vm_schema, vm_data };
	for (i = 0; i < nr; i++) {
		vcpus[i] = (struct stats_snapshot){ i == 1 ? &short_schema : &vcpu_schema, vcpu_data };
		places[i] = (struct vcpu_place){ .cpu = (int)i, .have_allowed = i != 2 };
		cpuset_zero(&places[i].allowed);
		cpuset_add(&places[i].allowed, i);
		cpuset_add(&places[i].allowed, i + 1);
	}
	places[0].cpu = -1;
	stats_print_table(f, &vm, vcpus, places, nr);
	ck_assert_int_eq(fclose(f), 0);
	stats_schema_free(&vm_schema);
	stats_schema_free(&vcpu_schema);
	stats_schema_free(&short_schema);
	return out;
}

/* Whether a line of text is words[0], words[1]... with only blanks around and between them. */
static bool has_row(const char *text, const char *const words[])
{
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line;
		unsigned i;

		for (i = 0; words[i]; i++) {
			p += strspn(p, " ");
			if (strncmp(p, words[i], strlen(words[i])))
				break;
			p += strlen(words[i]);
		}
		if (!words[i] && (*p == '\n' || *p == '\0'))
			return true;
	}
	return false;
}

#define ROW(text, ...) ck_assert_msg(has_row((text), (const char *const[]){ __VA_ARGS__, NULL }), \
				     "no row '%s' in:\n%s", #__VA_ARGS__, (text))

START_TEST(test_table)
{
	char *t = table(3);

	ROW(t, "VM (kvm-42)");
	ROW(t, "remote_tlb_flush", "7");
	ROW(t, "vcpus", "vcpu0", "vcpu1", "vcpu2");
	ROW(t, "host CPU (last run)", "?", "1", "2");
	ROW(t, "allowed host CPUs", "0-1", "1-2", "?");
	ROW(t, "exits", "4321", "4321", "4321");
	ROW(t, "halt_wait_ns [ns]", "0", "0", "0");
	ROW(t, "halt_wait_hist [ns]", "n=6", "n=6", "n=6");
	/* vcpu 1's descriptors lack it. */
	ROW(t, "mmio_exit_user", "99", "-", "99");
	ROW(t, "blocking (peak)", "0", "-", "0");
	ROW(t, "vcpu0 halt_wait_hist [ns]: 512-1023:6");
	ROW(t, "vcpu2 halt_wait_hist [ns]: 512-1023:6");
	ck_assert_ptr_null(strstr(t, "lin_hist [ns]"));
	ck_assert_ptr_null(strstr(t, "vcpu0 lin_hist"));
	free(t);
}
END_TEST

START_TEST(test_table_blocks)
{
	char *t = table(10);

	/* Eight vcpu columns to a block. */
	ROW(t, "vcpus", "vcpu0", "vcpu1", "vcpu2", "vcpu3", "vcpu4", "vcpu5", "vcpu6", "vcpu7");
	ROW(t, "vcpus", "vcpu8", "vcpu9");
	ROW(t, "exits", "4321", "4321");
	ROW(t, "vcpu9 halt_wait_hist [ns]: 512-1023:6");
	free(t);
}
END_TEST

START_TEST(test_table_unreadable)
{
	struct stats_snapshot vm = { NULL, NULL }, vcpu = { NULL, NULL };
	struct vcpu_place place = { .cpu = 5 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	stats_print_table(f, &vm, &vcpu, &place, 1);
	ck_assert_int_eq(fclose(f), 0);
	ROW(out, "VM: no statistics");
	ROW(out, "host CPU (last run)", "5");
	free(out);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *parse = tcase_create("parse");
	TCase *format = tcase_create("format");

	tcase_add_test(parse, test_parse_valid);
	tcase_add_test(parse, test_parse_schema_only);
	tcase_add_test(parse, test_parse_no_descriptors);
	tcase_add_test(parse, test_parse_truncated);
	tcase_add_test(parse, test_parse_name_size);
	tcase_add_test(parse, test_parse_count_overflow);
	tcase_add_test(parse, test_parse_offsets);
	tcase_add_test(parse, test_parse_names);
	tcase_add_test(parse, test_parse_items);
	tcase_add_test(parse, test_parse_random_corruption);
	tcase_set_timeout(parse, 60);
	suite_add_tcase(s, parse);

	tcase_add_test(format, test_units);
	tcase_add_test(format, test_values);
	tcase_add_test(format, test_log_buckets_far);
	tcase_add_test(format, test_proc_cpu);
	tcase_add_test(format, test_table);
	tcase_add_test(format, test_table_blocks);
	tcase_add_test(format, test_table_unreadable);
	suite_add_tcase(s, format);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
