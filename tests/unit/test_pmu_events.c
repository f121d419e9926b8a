/* test_pmu_events.c: the PMUv3 event-name table and the --pmu-events allow:/deny: parser. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/events.h"

static struct pmu_event_filter f;
static struct err e;

static int parse(const char *spec)
{
	memset(&e, 0, sizeof(e));
	return pmu_events_parse(spec, &f, &e);
}

START_TEST(test_names)
{
	ck_assert_int_eq(pmu_event_number("cpu_cycles"), 0x11);
	ck_assert_int_eq(pmu_event_number("INST_RETIRED"), 0x08);
	ck_assert_int_eq(pmu_event_number("stall_slot"), 0x3f);
	ck_assert_int_eq(pmu_event_number("sw_incr"), 0x00);
	ck_assert_int_eq(pmu_event_number("cpu_cycels"), -1);
	ck_assert_str_eq(pmu_event_name(0x04), "l1d_cache");
	ck_assert_ptr_null(pmu_event_name(0x40));
}
END_TEST

START_TEST(test_allow_list)
{
	ck_assert_int_eq(parse("allow:cpu_cycles, inst_retired,0x20-0x23,5"), 0);
	ck_assert(f.set);
	ck_assert(f.allow);
	ck_assert_uint_eq(f.nr, 4);
	ck_assert_uint_eq(f.r[0].base, 0x11);
	ck_assert_uint_eq(f.r[0].n, 1);
	ck_assert_uint_eq(f.r[2].base, 0x20);
	ck_assert_uint_eq(f.r[2].n, 4);
	ck_assert_uint_eq(f.r[3].base, 5);
	ck_assert(pmu_filter_allows(&f, 0x11));
	ck_assert(pmu_filter_allows(&f, 0x23));
	ck_assert(!pmu_filter_allows(&f, 0x24));
	ck_assert(!pmu_filter_allows(&f, 0x04));
}
END_TEST

START_TEST(test_deny_list_and_name_ranges)
{
	ck_assert_int_eq(parse("deny:l1d_cache_refill-l1d_tlb_refill,0xffff"), 0);
	ck_assert(!f.allow);
	ck_assert_uint_eq(f.r[0].base, 0x03);
	ck_assert_uint_eq(f.r[0].n, 3);
	ck_assert(!pmu_filter_allows(&f, 0x04));
	ck_assert(!pmu_filter_allows(&f, 0xffff));
	ck_assert(pmu_filter_allows(&f, 0x11));
}
END_TEST

START_TEST(test_whole_space)
{
	ck_assert_int_eq(parse("deny:0-0xffff"), 0);
	ck_assert_uint_eq(f.r[0].base, 0);
	ck_assert_uint_eq(f.r[0].n, 0x10000);
}
END_TEST

START_TEST(test_no_filter_allows_all)
{
	memset(&f, 0, sizeof(f));
	ck_assert(pmu_filter_allows(&f, 0x08));
}
END_TEST

static const struct {
	const char *spec;
	const char *msg;
} bad[] = {
	{ "cpu_cycles", "must start with allow: or deny:" },
	{ "allow:", "lists no event" },
	{ "allow:cpu_cycels", "'cpu_cycels' is not an event" },
	{ "allow:cpu_cycles,,inst_retired", "'' is not an event" },
	{ "allow:cpu_cycles,", "'' is not an event" },
	{ "deny:0x10000", "'0x10000' is not an event" },
	{ "deny:0x20-0x10", "'0x20-0x10' is not an event" },
	{ "deny:5-", "'5-' is not an event" },
	{ "deny:-5", "'-5' is not an event" },
	{ "deny:12abc", "'12abc' is not an event" },
	{ "ALLOW:cpu_cycles", "must start with allow: or deny:" },
};

START_TEST(test_bad)
{
	ck_assert_int_lt(parse(bad[_i].spec), 0);
	ck_assert_msg(strstr(e.msg, bad[_i].msg), "%s: message '%s' lacks '%s'", bad[_i].spec, e.msg,
		      bad[_i].msg);
	ck_assert(!f.set);
}
END_TEST

START_TEST(test_unknown_name_lists_known)
{
	ck_assert_int_lt(parse("allow:nonesuch"), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "names: sw_incr,"));
	ck_assert_ptr_nonnull(strstr(e.msg, ",cpu_cycles,"));
	ck_assert_ptr_nonnull(strstr(e.msg, "stall_slot"));
}
END_TEST

START_TEST(test_too_many_items)
{
	char spec[1024] = "allow:";
	int i;

	for (i = 0; i < PMU_FILTER_MAX_RANGES + 1; i++)
		strcat(spec, i ? ",1" : "1");
	ck_assert_int_lt(parse(spec), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than 64 items"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pmu_events");
	TCase *tc = tcase_create("events");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_allow_list);
	tcase_add_test(tc, test_deny_list_and_name_ranges);
	tcase_add_test(tc, test_whole_space);
	tcase_add_test(tc, test_no_filter_allows_all);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_unknown_name_lists_known);
	tcase_add_test(tc, test_too_many_items);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
