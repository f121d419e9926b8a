/* test_pmu_cpulist.c: unit tests for the CPU set type and cpulist parsing/formatting (pmu/cpulist.h). */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/cpulist.h"

/* Parses text, which must be valid, and returns the set. */
static struct cpuset parse_ok(const char *text)
{
	struct err e = { 0 };
	struct cpuset s;
	int ret = cpulist_parse(text, &s, &e);

	ck_assert_msg(ret == 0, "cpulist_parse(\"%s\") = %d: %s", text, ret, e.msg);
	ck_assert_str_eq(e.msg, "");
	return s;
}

static const struct {
	const char *text;
	const char *canonical;
	unsigned int count;
} valid[] = {
	{ "0-3,8,10-11\n", "0-3,8,10-11", 7 },
	{ "", "", 0 },
	{ " \t\n", "", 0 },
	{ "5", "5", 1 },
	{ "0", "0", 1 },
	{ " 0 - 1 , 4 \n", "0-1,4", 3 },
	{ "0,1,2,3", "0-3", 4 },
	{ "3,1,2", "1-3", 3 },
	{ "0-0", "0", 1 },
	{ "2-3,0-1", "0-3", 4 },
	{ "0-5,3-8", "0-8", 9 },
	{ "7,7,7", "7", 1 },
	{ "1023", "1023", 1 },
	{ "0-1023", "0-1023", 1024 },
	{ "0-63,64-127", "0-127", 128 },
	{ "62-65", "62-65", 4 },
	{ "00012", "12", 1 },
};

START_TEST(test_parse_valid)
{
	struct cpulist_buf b;
	struct cpuset s = parse_ok(valid[_i].text);

	ck_assert_uint_eq(cpuset_count(&s), valid[_i].count);
	ck_assert_str_eq(cpulist_str(&s, &b), valid[_i].canonical);
}
END_TEST

START_TEST(test_parse_members)
{
	struct cpuset s = parse_ok("0-3,8,10-11\n");
	const unsigned int in[] = { 0, 1, 2, 3, 8, 10, 11 };
	const unsigned int out[] = { 4, 7, 9, 12, 63, 64, 1023, 1024, 5000 };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		ck_assert_msg(cpuset_has(&s, in[i]), "CPU %u missing", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		ck_assert_msg(!cpuset_has(&s, out[i]), "CPU %u present", out[i]);
}
END_TEST

static const struct {
	const char *text;
	const char *why;	/* must appear in the message */
} invalid[] = {
	{ "1-", "expected a CPU number after '-', found the end" },
	{ "1-\n", "expected a CPU number after '-', found the end" },
	{ "3-1", "range 3-1 is reversed" },
	{ "a", "expected a CPU number at the start, found 'a'" },
	{ "1,,2", "expected a CPU number after ',', found ','" },
	{ ",1", "expected a CPU number at the start, found ','" },
	{ "1,", "expected a CPU number after ',', found the end" },
	{ "-1", "at the start, found '-'" },
	{ "+1", "at the start, found '+'" },
	{ "1024", "CPU numbers must be below 1024" },
	{ "0-1024", "CPU numbers must be below 1024" },
	{ "99999999999999999999999", "CPU numbers must be below 1024" },
	{ "0-7:2/4", "unexpected ':' after a CPU number" },
	{ "1 2", "unexpected '2' after a CPU number" },
	{ "0x1", "unexpected 'x' after a CPU number" },
	{ "1-2-3", "unexpected '-' after a CPU number" },
	{ "1;2", "unexpected ';' after a CPU number" },
	{ "1\x01", "unexpected byte 0x01 after a CPU number" },
};

START_TEST(test_parse_invalid)
{
	struct err e = { 0 };
	struct cpuset s;
	int ret;

	/* Pre-fill so the test sees that a failed parse leaves the set empty. */
	cpuset_zero(&s);
	cpuset_add(&s, 5);
	ret = cpulist_parse(invalid[_i].text, &s, &e);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_int_eq(e.errnum, EINVAL);
	ck_assert_msg(strstr(e.msg, invalid[_i].why), "message \"%s\" lacks \"%s\"", e.msg,
		      invalid[_i].why);
	ck_assert_msg(strstr(e.msg, "invalid CPU list \""), "message \"%s\" does not quote the list", e.msg);
	ck_assert_msg(!strchr(e.msg, '\n'), "message \"%s\" is not one line", e.msg);
	ck_assert(cpuset_empty(&s));
}
END_TEST

START_TEST(test_parse_message_quotes_safely)
{
	char text[300];
	struct err e = { 0 };
	struct cpuset s;

	memset(text, '1', sizeof(text) - 2);
	text[sizeof(text) - 2] = 'z';
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(cpulist_parse(text, &s, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "...\""), "long input not cut: %s", e.msg);
	ck_assert_uint_lt(strlen(e.msg), 200);

	err_clear(&e);
	ck_assert_int_eq(cpulist_parse("1\n2", &s, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "\"1?2\""), "control byte not replaced: %s", e.msg);
}
END_TEST

START_TEST(test_format_worst_case_fits)
{
	char buf[CPULIST_STRMAX];
	struct cpuset s, back;
	int n;

	cpuset_zero(&s);
	for (unsigned int cpu = 0; cpu < CPUSET_MAX; cpu += 2)
		ck_assert_int_eq(cpuset_add(&s, cpu), 0);
	n = cpulist_format(&s, buf, sizeof(buf));
	ck_assert_int_eq(n, 2004);
	ck_assert_uint_eq(strlen(buf), 2004);
	ck_assert(!strncmp(buf, "0,2,4,", 6));
	ck_assert_str_eq(buf + n - 9, "1020,1022");
	back = parse_ok(buf);
	ck_assert(cpuset_equal(&s, &back));
}
END_TEST

START_TEST(test_format_nospace)
{
	struct cpuset s = parse_ok("0-3,8,10-11");
	char buf[8], exact[12];

	ck_assert_int_eq(cpulist_format(&s, buf, sizeof(buf)), -ENOSPC);
	ck_assert_str_eq(buf, "0-3,8");
	ck_assert_int_eq(cpulist_format(&s, buf, 0), -ENOSPC);
	ck_assert_int_eq(cpulist_format(&s, buf, 1), -ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(cpulist_format(&s, exact, sizeof(exact)), 11);
	ck_assert_str_eq(exact, "0-3,8,10-11");
}
END_TEST

START_TEST(test_set_operations)
{
	struct cpuset a = parse_ok("0-3,8"), b = parse_ok("2-9"), both, empty;
	struct cpulist_buf buf;

	cpuset_and(&both, &a, &b);
	ck_assert_str_eq(cpulist_str(&both, &buf), "2-3,8");
	ck_assert_uint_eq(cpuset_count(&both), 3);
	ck_assert(cpuset_is_subset(&both, &a));
	ck_assert(cpuset_is_subset(&both, &b));
	ck_assert(!cpuset_is_subset(&a, &b));
	ck_assert(cpuset_is_subset(&a, &a));
	ck_assert(!cpuset_equal(&a, &b));
	ck_assert(cpuset_equal(&both, &(struct cpuset){ 0 }) == false);

	cpuset_zero(&empty);
	ck_assert(cpuset_empty(&empty));
	ck_assert(cpuset_is_subset(&empty, &a));
	ck_assert(!cpuset_is_subset(&a, &empty));
	ck_assert_int_eq(cpuset_first(&empty), -1);

	cpuset_or(&both, &a, &b);
	ck_assert_str_eq(cpulist_str(&both, &buf), "0-9");

	/* Aliasing: a &= b, then a |= {0}. */
	cpuset_and(&a, &a, &b);
	ck_assert_str_eq(cpulist_str(&a, &buf), "2-3,8");
	cpuset_or(&a, &a, &(struct cpuset){ .bits = { 1 } });
	ck_assert_str_eq(cpulist_str(&a, &buf), "0,2-3,8");
}
END_TEST

START_TEST(test_first_next)
{
	struct cpuset s = parse_ok("5,63-64,700,1023");
	const int want[] = { 5, 63, 64, 700, 1023 };
	size_t n = 0;

	for (int c = cpuset_first(&s); c >= 0; c = cpuset_next(&s, (unsigned int)c + 1)) {
		ck_assert_uint_lt(n, 5);
		ck_assert_int_eq(c, want[n++]);
	}
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(cpuset_next(&s, 6), 63);
	ck_assert_int_eq(cpuset_next(&s, 65), 700);
	ck_assert_int_eq(cpuset_next(&s, 1024), -1);
	ck_assert_int_eq(cpuset_next(&s, 5000), -1);
}
END_TEST

START_TEST(test_add_bounds)
{
	struct cpuset s;

	cpuset_zero(&s);
	ck_assert_int_eq(cpuset_add(&s, 1023), 0);
	ck_assert_int_eq(cpuset_add(&s, 1024), -EINVAL);
	ck_assert_uint_eq(cpuset_count(&s), 1);
	ck_assert(cpuset_has(&s, 1023));
}
END_TEST

START_TEST(test_cpu_set_roundtrip)
{
	struct cpuset s = parse_ok("0,2-4,1000"), back;
	cpu_set_t cs;

	cpuset_to_cpu_set(&s, &cs);
	ck_assert_int_eq(CPU_COUNT(&cs), 5);
	ck_assert(CPU_ISSET(1000, &cs));
	ck_assert(!CPU_ISSET(1, &cs));
	cpuset_from_cpu_set(&cs, &back);
	ck_assert(cpuset_equal(&s, &back));
}
END_TEST

START_TEST(test_get_affinity)
{
	struct err e = { 0 };
	struct cpuset s;
	cpu_set_t cs;

	ck_assert_int_eq(cpuset_get_affinity(&s, &e), 0);
	ck_assert(sched_getaffinity(0, sizeof(cs), &cs) == 0);
	ck_assert_uint_eq(cpuset_count(&s), (unsigned int)CPU_COUNT(&cs));
	ck_assert(!cpuset_empty(&s));
}
END_TEST

static Suite *cpulist_suite(void)
{
	Suite *s = suite_create("pmu_cpulist");
	TCase *parse = tcase_create("parse");
	TCase *format = tcase_create("format");
	TCase *ops = tcase_create("set");

	tcase_add_loop_test(parse, test_parse_valid, 0, sizeof(valid) / sizeof(valid[0]));
	tcase_add_test(parse, test_parse_members);
	tcase_add_loop_test(parse, test_parse_invalid, 0, sizeof(invalid) / sizeof(invalid[0]));
	tcase_add_test(parse, test_parse_message_quotes_safely);
	tcase_add_test(format, test_format_worst_case_fits);
	tcase_add_test(format, test_format_nospace);
	tcase_add_test(ops, test_set_operations);
	tcase_add_test(ops, test_first_next);
	tcase_add_test(ops, test_add_bounds);
	tcase_add_test(ops, test_cpu_set_roundtrip);
	tcase_add_test(ops, test_get_affinity);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, format);
	suite_add_tcase(s, ops);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cpulist_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
