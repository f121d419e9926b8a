/* test_pmu_host.c: unit tests for host PMU discovery (pmu/host.h) against sysfs look-alike trees. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/host.h"
#include "tests/unit/fixture.h"

/* Each test builds its own tree; CK_FORK isolates them, setup/teardown make and remove it. */
static struct fixture fx;

static void setup(void)
{
	fixture_init(&fx);
	fixture_mkdir(&fx, HOST_PMU_DEVICES_DIR);
}

static void teardown(void)
{
	fixture_cleanup(&fx);
}

/* The non-CPU PMUs every arm64 host has: none has a cpus file. */
static void add_generic_pmus(void)
{
	fixture_pmu(&fx, "software", "1\n", NULL, NULL);
	fixture_pmu(&fx, "tracepoint", "2\n", NULL, NULL);
	fixture_pmu(&fx, "breakpoint", "5\n", NULL, NULL);
}

static struct host_pmus discover_ok(void)
{
	struct host_pmus pmus;
	struct err e = { 0 };
	int ret = host_pmus_discover(fx.root, &pmus, &e);

	ck_assert_msg(ret == 0, "host_pmus_discover = %d: %s", ret, e.msg);
	return pmus;
}

static void assert_pmu(const struct host_pmu *p, const char *name, uint32_t type, const char *cpus)
{
	struct cpulist_buf b;

	ck_assert_str_eq(p->name, name);
	ck_assert_uint_eq(p->type, type);
	ck_assert_str_eq(cpulist_str(&p->cpus, &b), cpus);
	ck_assert_int_eq(p->counters, HOST_PMU_COUNTERS_UNKNOWN);
}

static void assert_warning(const struct host_pmus *pmus, unsigned int i, const char *text)
{
	ck_assert_uint_gt(pmus->nwarn, i);
	ck_assert_msg(strstr(pmus->warn[i], text), "warning \"%s\" lacks \"%s\"", pmus->warn[i], text);
	ck_assert_msg(!strchr(pmus->warn[i], '\n'), "warning \"%s\" is not one line", pmus->warn[i]);
}

START_TEST(test_homogeneous)
{
	struct host_pmus pmus;

	add_generic_pmus();
	fixture_pmu(&fx, "armv8_pmuv3", "8\n", "0-3\n", NULL);
	fixture_pmu(&fx, "arm_cmn_0", "20\n", NULL, "0\n");
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 1);
	assert_pmu(&pmus.pmu[0], "armv8_pmuv3", 8, "0-3");
	ck_assert_uint_eq(pmus.non_cpu, 4);
	ck_assert_uint_eq(pmus.nwarn, 0);
	ck_assert_uint_eq(pmus.warn_dropped, 0);
}
END_TEST

START_TEST(test_big_little)
{
	struct host_pmus pmus;

	add_generic_pmus();
	fixture_pmu(&fx, "armv8_cortex_a72", "10\n", "2-3\n", NULL);
	fixture_pmu(&fx, "armv8_cortex_a53", "9\n", "0-1\n", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 2);
	assert_pmu(&pmus.pmu[0], "armv8_cortex_a53", 9, "0-1");
	assert_pmu(&pmus.pmu[1], "armv8_cortex_a72", 10, "2-3");
	ck_assert_uint_eq(pmus.non_cpu, 3);
	ck_assert_ptr_eq(host_pmus_find_name(&pmus, "armv8_cortex_a72"), &pmus.pmu[1]);
	ck_assert_ptr_eq(host_pmus_find_type(&pmus, 9), &pmus.pmu[0]);
	ck_assert_ptr_null(host_pmus_find_name(&pmus, "armv8_cortex_a7"));
	ck_assert_ptr_null(host_pmus_find_type(&pmus, 8));
}
END_TEST

/* Sorted by type id, whatever the names: the name order is the opposite here. */
START_TEST(test_sorted_by_type)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "a_pmu", "12", "0", NULL);
	fixture_pmu(&fx, "m_pmu", "100", "1", NULL);
	fixture_pmu(&fx, "z_pmu", "3", "2", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 3);
	ck_assert_str_eq(pmus.pmu[0].name, "z_pmu");
	ck_assert_str_eq(pmus.pmu[1].name, "a_pmu");
	ck_assert_str_eq(pmus.pmu[2].name, "m_pmu");
}
END_TEST

static const char *const bad_types[] = { "eight\n", "8x\n", "", "\n", "-1\n", "0x8\n", "4294967296\n", "8 9\n" };

START_TEST(test_malformed_type)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "armv8_pmuv3", bad_types[_i], "0-3\n", NULL);
	fixture_pmu(&fx, "armv8_good", "7\n", "4-5\n", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 1);
	assert_pmu(&pmus.pmu[0], "armv8_good", 7, "4-5");
	ck_assert_uint_eq(pmus.nwarn, 1);
	assert_warning(&pmus, 0, "skipped PMU armv8_pmuv3: malformed type \"");
}
END_TEST

START_TEST(test_type_limits)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "max", " 4294967295 \n", "1", NULL);
	fixture_pmu(&fx, "zero", "0", "0", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 2);
	assert_pmu(&pmus.pmu[0], "zero", 0, "0");
	assert_pmu(&pmus.pmu[1], "max", UINT32_MAX, "1");
}
END_TEST

START_TEST(test_missing_type)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "armv8_pmuv3", NULL, "0-3\n", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 0);
	ck_assert_uint_eq(pmus.non_cpu, 0);
	assert_warning(&pmus, 0, "skipped PMU armv8_pmuv3: it has a cpus file but no type file");
}
END_TEST

/* No cpus file: a non-CPU PMU (uncore, SPE), counted, not a warning, even with a cpumask. */
START_TEST(test_missing_cpus)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "arm_spe_0", "11\n", NULL, "0-3\n");
	fixture_pmu(&fx, "no_files_at_all", NULL, NULL, NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 0);
	ck_assert_uint_eq(pmus.non_cpu, 2);
	ck_assert_uint_eq(pmus.nwarn, 0);
}
END_TEST

START_TEST(test_malformed_cpus)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "armv8_pmuv3", "8\n", "0-\n", NULL);
	fixture_pmu(&fx, "armv8_other", "9\n", "2000\n", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 0);
	ck_assert_uint_eq(pmus.nwarn, 2);
	/* Scanned in name order, so the warnings come in name order. */
	assert_warning(&pmus, 0, "skipped PMU armv8_other: its cpus file: invalid CPU list \"2000\"");
	assert_warning(&pmus, 1, "skipped PMU armv8_pmuv3: its cpus file: invalid CPU list \"0-\"");
}
END_TEST

static const struct {
	const char *file;
	const char *canonical;
} odd_cpus[] = {
	{ "0,2-3\n", "0,2-3" },
	{ " 1 , 3 - 4 \n", "1,3-4" },
	{ "5-5", "5" },
	{ "7,0-1,4", "0-1,4,7" },
	{ "0-127\n", "0-127" },
	{ "\n", "" },	/* kept: the plan says it covers nothing */
	{ "", "" },
};

START_TEST(test_odd_cpulists)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "armv8_pmuv3", "8\n", odd_cpus[_i].file, NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 1);
	assert_pmu(&pmus.pmu[0], "armv8_pmuv3", 8, odd_cpus[_i].canonical);
	ck_assert_uint_eq(pmus.nwarn, 0);
}
END_TEST

/* Fixture trees may use plain directories instead of sysfs's symlinks; stray files are ignored. */
START_TEST(test_plain_dirs_and_stray_files)
{
	struct host_pmus pmus;

	fixture_write(&fx, HOST_PMU_DEVICES_DIR "/armv8_pmuv3_0/type", "8\n");
	fixture_write(&fx, HOST_PMU_DEVICES_DIR "/armv8_pmuv3_0/cpus", "0-7\n");
	fixture_write(&fx, HOST_PMU_DEVICES_DIR "/README", "not a PMU\n");
	fixture_write(&fx, HOST_PMU_DEVICES_DIR "/.hidden/cpus", "0\n");
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 1);
	assert_pmu(&pmus.pmu[0], "armv8_pmuv3_0", 8, "0-7");
	ck_assert_uint_eq(pmus.non_cpu, 0);
	ck_assert_uint_eq(pmus.nwarn, 0);
}
END_TEST

START_TEST(test_duplicate_type)
{
	struct host_pmus pmus;

	fixture_pmu(&fx, "pmu_a", "8", "0-1", NULL);
	fixture_pmu(&fx, "pmu_b", "8", "2-3", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 1);
	assert_pmu(&pmus.pmu[0], "pmu_a", 8, "0-1");
	assert_warning(&pmus, 0, "skipped PMU pmu_b: type 8 is already pmu_a's");
}
END_TEST

START_TEST(test_missing_devices_dir)
{
	struct host_pmus pmus;
	struct err e = { 0 };
	char want[512];
	int ret;

	ret = host_pmus_discover("/nonexistent-lkvm-sysfs", &pmus, &e);
	ck_assert_int_eq(ret, -ENOENT);
	ck_assert_int_eq(e.errnum, ENOENT);
	ck_assert_str_eq(e.msg, "cannot list the host's perf PMUs in "
				"/nonexistent-lkvm-sysfs/bus/event_source/devices: No such file or directory");

	/* A root whose bus/event_source exists but has no devices/ fails the same way. */
	fixture_cleanup(&fx);
	fixture_init(&fx);
	fixture_mkdir(&fx, "bus/event_source");
	err_clear(&e);
	ck_assert_int_eq(host_pmus_discover(fx.root, &pmus, &e), -ENOENT);
	snprintf(want, sizeof(want), "%s/" HOST_PMU_DEVICES_DIR, fx.root);
	ck_assert_msg(strstr(e.msg, want), "message \"%s\" lacks the path", e.msg);
}
END_TEST

START_TEST(test_empty_devices_dir)
{
	struct host_pmus pmus = discover_ok();

	ck_assert_uint_eq(pmus.count, 0);
	ck_assert_uint_eq(pmus.non_cpu, 0);
	ck_assert_uint_eq(pmus.nwarn, 0);
}
END_TEST

/* A server-class host: dozens of uncore PMUs around two CPU PMUs. */
START_TEST(test_many_pmus)
{
	struct host_pmus pmus;
	char name[32], type[16];

	add_generic_pmus();
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "hisi_sccl%d_ddrc%d", i / 4, i % 4);
		snprintf(type, sizeof(type), "%d\n", 30 + i);
		fixture_pmu(&fx, name, type, NULL, "0\n");
	}
	fixture_pmu(&fx, "armv8_pmuv3_1", "13\n", "64-127\n", NULL);
	fixture_pmu(&fx, "armv8_pmuv3_0", "12\n", "0-63\n", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 2);
	assert_pmu(&pmus.pmu[0], "armv8_pmuv3_0", 12, "0-63");
	assert_pmu(&pmus.pmu[1], "armv8_pmuv3_1", 13, "64-127");
	ck_assert_uint_eq(pmus.non_cpu, 63);
}
END_TEST

/* More CPU PMUs than fit: the lowest type ids are kept, the rest each get a warning. */
START_TEST(test_too_many_cpu_pmus)
{
	struct host_pmus pmus;
	char name[32], type[16];

	for (int i = 0; i < HOST_PMUS_MAX + 2; i++) {
		/* Names run opposite to types, so the scan meets the highest types first. */
		snprintf(name, sizeof(name), "pmu_%02d", i);
		snprintf(type, sizeof(type), "%d", 200 - i);
		fixture_pmu(&fx, name, type, "0", NULL);
	}
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, HOST_PMUS_MAX);
	ck_assert_uint_eq(pmus.pmu[0].type, 200 - (HOST_PMUS_MAX + 1));
	ck_assert_uint_eq(pmus.pmu[HOST_PMUS_MAX - 1].type, 200 - 2);
	for (unsigned int i = 1; i < pmus.count; i++)
		ck_assert_uint_lt(pmus.pmu[i - 1].type, pmus.pmu[i].type);
	ck_assert_uint_eq(pmus.nwarn, 2);
	assert_warning(&pmus, 0, "skipped PMU pmu_00: more than 32 CPU PMUs");
	assert_warning(&pmus, 1, "skipped PMU pmu_01: more than 32 CPU PMUs");
}
END_TEST

START_TEST(test_warnings_overflow)
{
	struct host_pmus pmus;
	char name[32];

	for (int i = 0; i < HOST_WARN_MAX + 3; i++) {
		snprintf(name, sizeof(name), "broken_%02d", i);
		fixture_pmu(&fx, name, "x", "0", NULL);
	}
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 0);
	ck_assert_uint_eq(pmus.nwarn, HOST_WARN_MAX);
	ck_assert_uint_eq(pmus.warn_dropped, 3);
	assert_warning(&pmus, 0, "broken_00");
	assert_warning(&pmus, HOST_WARN_MAX - 1, "broken_07");
}
END_TEST

START_TEST(test_long_name)
{
	struct host_pmus pmus;
	char name[HOST_PMU_NAME_MAX + 8];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fixture_pmu(&fx, name, "8", "0", NULL);
	pmus = discover_ok();
	ck_assert_uint_eq(pmus.count, 0);
	assert_warning(&pmus, 0, "name longer than 63 characters");
}
END_TEST

static Suite *host_suite(void)
{
	Suite *s = suite_create("pmu_host");
	TCase *tc = tcase_create("discover");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_homogeneous);
	tcase_add_test(tc, test_big_little);
	tcase_add_test(tc, test_sorted_by_type);
	tcase_add_loop_test(tc, test_malformed_type, 0, sizeof(bad_types) / sizeof(bad_types[0]));
	tcase_add_test(tc, test_type_limits);
	tcase_add_test(tc, test_missing_type);
	tcase_add_test(tc, test_missing_cpus);
	tcase_add_test(tc, test_malformed_cpus);
	tcase_add_loop_test(tc, test_odd_cpulists, 0, sizeof(odd_cpus) / sizeof(odd_cpus[0]));
	tcase_add_test(tc, test_plain_dirs_and_stray_files);
	tcase_add_test(tc, test_duplicate_type);
	tcase_add_test(tc, test_missing_devices_dir);
	tcase_add_test(tc, test_empty_devices_dir);
	tcase_add_test(tc, test_many_pmus);
	tcase_add_test(tc, test_too_many_cpu_pmus);
	tcase_add_test(tc, test_warnings_overflow);
	tcase_add_test(tc, test_long_name);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(host_suite());
}
