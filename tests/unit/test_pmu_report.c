/* test_pmu_report.c: unit tests for the `lkvm pmu list` text (pmu/report.h), from sysfs look-alike trees to output. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/report.h"
#include "tests/unit/fixture.h"

/* libcheck fixtures take no argument: the tree of the test running (each in its own fork). */
static struct fixture fx;

static void setup(void)
{
	fixture_init(&fx);
	fixture_mkdir(&fx, HOST_PMU_DEVICES_DIR);
	fixture_pmu(&fx, "software", "1\n", NULL, NULL);
	fixture_pmu(&fx, "tracepoint", "2\n", NULL, NULL);
}

static void teardown(void)
{
	fixture_cleanup(&fx);
}

/* Discovers the fixture tree and returns the report (malloc'd) for usable CPUs and request. */
static char *report(const char *usable, bool explicit_aff, const char *request)
{
	struct host_pmus pmus;
	struct err e = { 0 };
	struct cpuset u;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(host_pmus_discover(fx.root, &pmus, &e) == 0, "%s", e.msg);
	ck_assert_msg(cpulist_parse(usable, &u, &e) == 0, "%s", e.msg);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pmu_report_write(f, &(struct pmu_plan_input){ &pmus, &u, explicit_aff, request }, &e),
			 0);
	fclose(f);
	return text;
}

START_TEST(test_homogeneous)
{
	char *text;

	fixture_pmu(&fx, "armv8_pmuv3", "8\n", "0-3\n", NULL);
	text = report("0-3", false, NULL);
	ck_assert_str_eq(text,
			 "NAME         TYPE  CPUS  COUNTERS\n"
			 "armv8_pmuv3     8  0-3   -\n"
			 "2 non-CPU PMUs not listed (software, tracepoint, uncore, SPE and the like)\n"
			 "lkvm run --pmu would use armv8_pmuv3 (type 8): the only CPU PMU; "
			 "vCPU threads pinned to CPUs 0-3\n");
	free(text);
}
END_TEST

START_TEST(test_big_little)
{
	char *text;

	fixture_pmu(&fx, "armv8_cortex_a53", "9\n", "0-1\n", NULL);
	fixture_pmu(&fx, "armv8_cortex_a72", "10\n", "2-3\n", NULL);
	fixture_pmu(&fx, "broken", "x\n", "4\n", NULL);
	text = report("0-3", false, NULL);
	ck_assert_str_eq(text,
			 "NAME              TYPE  CPUS  COUNTERS\n"
			 "armv8_cortex_a53     9  0-1   -\n"
			 "armv8_cortex_a72    10  2-3   -\n"
			 "2 non-CPU PMUs not listed (software, tracepoint, uncore, SPE and the like)\n"
			 "warning: skipped PMU broken: malformed type \"x\"\n"
			 "lkvm run --pmu would use armv8_cortex_a72 (type 10): covers 2 of 4 usable CPUs, "
			 "the most; tie broken by higher type id; vCPU threads pinned to CPUs 2-3\n");
	free(text);
}
END_TEST

START_TEST(test_request_and_failure)
{
	char *text;

	fixture_pmu(&fx, "armv8_cortex_a53", "9\n", "0-1\n", NULL);
	fixture_pmu(&fx, "armv8_cortex_a72", "10\n", "2-3\n", NULL);
	text = report("0-3", false, "9");
	ck_assert_msg(strstr(text, "\nlkvm run --pmu=9 would use armv8_cortex_a53 (type 9): requested "
				   "with --pmu=9; vCPU threads pinned to CPUs 0-1\n"), "%s", text);
	free(text);
	text = report("1-2", true, NULL);
	ck_assert_msg(strstr(text, "\nlkvm run --pmu would fail here: --vcpu-affinity CPUs 1-2 span 2 "
				   "CPU PMUs: "), "%s", text);
	free(text);
}
END_TEST

START_TEST(test_no_cpu_pmu)
{
	char *text = report("0-3", false, NULL);

	ck_assert_str_eq(text,
			 "no CPU PMUs (no perf PMU in sysfs bus/event_source/devices has a cpus file)\n"
			 "2 non-CPU PMUs not listed (software, tracepoint, uncore, SPE and the like)\n"
			 "lkvm run --pmu would fail here: no CPU PMU on this host: no PMU in sysfs "
			 "bus/event_source/devices has a cpus file\n");
	free(text);
}
END_TEST

START_TEST(test_counters_column)
{
	struct host_pmus pmus = { .count = 1 };
	struct cpuset u;
	struct err e = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	snprintf(pmus.pmu[0].name, sizeof(pmus.pmu[0].name), "a");
	pmus.pmu[0].type = 123456;
	pmus.pmu[0].counters = 6;
	cpulist_parse("0-2,5,7-9", &pmus.pmu[0].cpus, &e);
	cpulist_parse("0-15", &u, &e);
	ck_assert_int_eq(pmu_report_write(f, &(struct pmu_plan_input){ &pmus, &u, false, NULL }, &e), 0);
	fclose(f);
	ck_assert_msg(!strncmp(text,
			       "NAME    TYPE  CPUS       COUNTERS\n"
			       "a     123456  0-2,5,7-9  6\n", 61), "%s", text);
	free(text);
}
END_TEST

/* A full stream (here: a read-only one) is reported as an error. */
START_TEST(test_write_error)
{
	struct host_pmus pmus = { 0 };
	struct err e = { 0 };
	struct cpuset u;
	FILE *f = fopen("/dev/null", "r");

	cpulist_parse("0", &u, &e);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pmu_report_write(f, &(struct pmu_plan_input){ &pmus, &u, false, NULL }, &e), -EIO);
	ck_assert_str_eq(e.msg, "writing the PMU list failed");
	fclose(f);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("pmu_report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_homogeneous);
	tcase_add_test(tc, test_big_little);
	tcase_add_test(tc, test_request_and_failure);
	tcase_add_test(tc, test_no_cpu_pmu);
	tcase_add_test(tc, test_counters_column);
	tcase_add_test(tc, test_write_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(report_suite());
}
