/* test_pmu_plan.c: unit tests for the PMU choice and vCPU pin plan (pmu/plan.h) on in-memory hosts. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/plan.h"

static struct cpuset set(const char *list)
{
	struct err e = { 0 };
	struct cpuset s;

	ck_assert_msg(cpulist_parse(list, &s, &e) == 0, "%s", e.msg);
	return s;
}

/* Appends a CPU PMU; callers add them in ascending type, as discovery leaves them. */
static void add_pmu(struct host_pmus *pmus, const char *name, uint32_t type, const char *cpus)
{
	struct host_pmu *p = &pmus->pmu[pmus->count];

	ck_assert_uint_lt(pmus->count, HOST_PMUS_MAX);
	ck_assert(!pmus->count || pmus->pmu[pmus->count - 1].type < type);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->type = type;
	p->cpus = set(cpus);
	p->counters = HOST_PMU_COUNTERS_UNKNOWN;
	pmus->count++;
}

static struct host_pmus homogeneous(void)
{
	struct host_pmus pmus = { 0 };

	add_pmu(&pmus, "armv8_pmuv3", 8, "0-3");
	pmus.non_cpu = 4;
	return pmus;
}

static struct host_pmus big_little(void)
{
	struct host_pmus pmus = { 0 };

	add_pmu(&pmus, "armv8_cortex_a53", 9, "0-1");
	add_pmu(&pmus, "armv8_cortex_a72", 10, "2-3");
	return pmus;
}

/* Runs the plan, which must succeed, and checks the chosen PMU, pin set and reason. */
static struct pmu_plan plan_ok(const struct host_pmus *pmus, const char *usable, bool explicit_aff,
			       const char *request, const char *want_pmu, const char *want_pin,
			       const char *want_reason)
{
	struct cpuset u = set(usable);
	struct pmu_plan_input in = { pmus, &u, explicit_aff, request };
	struct pmu_plan plan;
	struct err e = { 0 };
	struct cpulist_buf b;
	int ret = pmu_plan_choose(&in, &plan, &e);

	ck_assert_msg(ret == 0, "pmu_plan_choose = %d: %s", ret, e.msg);
	ck_assert_str_eq(plan.pmu.name, want_pmu);
	ck_assert_str_eq(cpulist_str(&plan.pin, &b), want_pin);
	ck_assert_str_eq(plan.reason, want_reason);
	ck_assert_uint_eq(plan.usable_count, cpuset_count(&u));
	ck_assert(cpuset_is_subset(&plan.pin, &u));
	ck_assert(cpuset_is_subset(&plan.pin, &plan.pmu.cpus));
	return plan;
}

/* Runs the plan, which must fail with ret, and checks the message contains each of want[]. */
static void plan_fails(const struct host_pmus *pmus, const char *usable, bool explicit_aff,
		       const char *request, int want_ret, const char *const *want)
{
	struct cpuset u = set(usable);
	struct pmu_plan_input in = { pmus, &u, explicit_aff, request };
	struct pmu_plan plan;
	struct err e = { 0 };

	ck_assert_int_eq(pmu_plan_choose(&in, &plan, &e), want_ret);
	ck_assert_int_eq(e.errnum, -want_ret);
	ck_assert_msg(!strchr(e.msg, '\n'), "message \"%s\" is not one line", e.msg);
	for (; *want; want++)
		ck_assert_msg(strstr(e.msg, *want), "message \"%s\" lacks \"%s\"", e.msg, *want);
}

#define FAILS(pmus, usable, explicit_aff, request, ret, ...) \
	plan_fails(pmus, usable, explicit_aff, request, ret, (const char *const[]){ __VA_ARGS__, NULL })

/* Homogeneous host: one PMU, armv8_pmuv3 type 8 on CPUs 0-3. */

START_TEST(test_homo_auto)
{
	struct host_pmus h = homogeneous();
	struct pmu_plan p = plan_ok(&h, "0-3", false, NULL, "armv8_pmuv3", "0-3",
				    "armv8_pmuv3 (type 8): the only CPU PMU");

	ck_assert(!p.heterogeneous);
	ck_assert_uint_eq(p.pmus_covering, 1);
	ck_assert_uint_eq(p.pmu.type, 8);
	/* An empty request is no request. */
	plan_ok(&h, "0-3", false, "", "armv8_pmuv3", "0-3", "armv8_pmuv3 (type 8): the only CPU PMU");
}
END_TEST

START_TEST(test_homo_request)
{
	struct host_pmus h = homogeneous();

	plan_ok(&h, "0-3", false, "armv8_pmuv3", "armv8_pmuv3", "0-3",
		"armv8_pmuv3 (type 8): requested with --pmu=armv8_pmuv3");
	plan_ok(&h, "0-3", false, "8", "armv8_pmuv3", "0-3",
		"armv8_pmuv3 (type 8): requested with --pmu=8");
}
END_TEST

START_TEST(test_homo_unknown)
{
	struct host_pmus h = homogeneous();

	FAILS(&h, "0-3", false, "armv8_cortex_a72", -ENOENT,
	      "--pmu=armv8_cortex_a72: no such host CPU PMU; the host has armv8_pmuv3 (type 8)");
	FAILS(&h, "0-3", false, "9", -ENOENT, "--pmu=9: no such host CPU PMU");
	FAILS(&h, "0-3", false, "99999999999999999999", -ENOENT, "no such host CPU PMU");
	FAILS(&h, "0-3", false, "armv8", -ENOENT, "no such host CPU PMU");
}
END_TEST

START_TEST(test_homo_affinity)
{
	struct host_pmus h = homogeneous();

	plan_ok(&h, "1-2", true, NULL, "armv8_pmuv3", "1-2", "armv8_pmuv3 (type 8): the only CPU PMU");
	/* Process affinity wider than the PMU, not explicit: narrowed to the PMU's CPUs. */
	plan_ok(&h, "0-7", false, NULL, "armv8_pmuv3", "0-3", "armv8_pmuv3 (type 8): the only CPU PMU");
	/* Explicit affinity is never narrowed. */
	FAILS(&h, "2-5", true, NULL, -EINVAL,
	      "--vcpu-affinity CPUs 2-5 are not all covered by armv8_pmuv3 (type 8, CPUs 0-3)");
}
END_TEST

START_TEST(test_homo_uncovered)
{
	struct host_pmus h = homogeneous();

	FAILS(&h, "4-5", false, NULL, -EINVAL,
	      "no CPU PMU covers any of the usable CPUs 4-5; the host has armv8_pmuv3 (type 8, CPUs 0-3)");
	FAILS(&h, "4-5", false, "armv8_pmuv3", -EINVAL,
	      "armv8_pmuv3 (type 8, CPUs 0-3) covers none of the usable CPUs 4-5");
}
END_TEST

START_TEST(test_empty_usable)
{
	struct host_pmus h = homogeneous();

	FAILS(&h, "", false, NULL, -EINVAL, "no usable host CPUs: the process CPU affinity is empty");
	FAILS(&h, "", true, "8", -EINVAL,
	      "no usable host CPUs: the process CPU affinity intersected with --vcpu-affinity is empty");
}
END_TEST

START_TEST(test_no_pmu)
{
	struct host_pmus none = { .non_cpu = 3 };

	FAILS(&none, "0-3", false, NULL, -ENODEV,
	      "no CPU PMU on this host: no PMU in sysfs bus/event_source/devices has a cpus file");
	FAILS(&none, "0-3", false, "armv8_pmuv3", -ENODEV, "no CPU PMU on this host");
}
END_TEST

/* big.LITTLE: armv8_cortex_a53 type 9 on CPUs 0-1, armv8_cortex_a72 type 10 on CPUs 2-3. */

START_TEST(test_bl_auto_tie)
{
	struct host_pmus h = big_little();
	struct pmu_plan p = plan_ok(&h, "0-3", false, NULL, "armv8_cortex_a72", "2-3",
				    "armv8_cortex_a72 (type 10): covers 2 of 4 usable CPUs, the most; "
				    "tie broken by higher type id");

	ck_assert(p.heterogeneous);
	ck_assert_uint_eq(p.pmus_covering, 2);
	ck_assert_uint_eq(p.usable_count, 4);
}
END_TEST

START_TEST(test_bl_auto_most)
{
	struct host_pmus h = big_little();

	plan_ok(&h, "0-2", false, NULL, "armv8_cortex_a53", "0-1",
		"armv8_cortex_a53 (type 9): covers 2 of 3 usable CPUs, the most");
	plan_ok(&h, "1-3", false, NULL, "armv8_cortex_a72", "2-3",
		"armv8_cortex_a72 (type 10): covers 2 of 3 usable CPUs, the most");
}
END_TEST

START_TEST(test_bl_request)
{
	struct host_pmus h = big_little();
	struct pmu_plan p = plan_ok(&h, "0-3", false, "armv8_cortex_a53", "armv8_cortex_a53", "0-1",
				    "armv8_cortex_a53 (type 9): requested with --pmu=armv8_cortex_a53");

	ck_assert(p.heterogeneous);
	plan_ok(&h, "0-3", false, "10", "armv8_cortex_a72", "2-3",
		"armv8_cortex_a72 (type 10): requested with --pmu=10");
	plan_ok(&h, "0-3", false, "9", "armv8_cortex_a53", "0-1",
		"armv8_cortex_a53 (type 9): requested with --pmu=9");
}
END_TEST

START_TEST(test_bl_unknown)
{
	struct host_pmus h = big_little();

	FAILS(&h, "0-3", false, "armv8_pmuv3", -ENOENT,
	      "--pmu=armv8_pmuv3: no such host CPU PMU; the host has armv8_cortex_a53 (type 9), "
	      "armv8_cortex_a72 (type 10)");
	FAILS(&h, "0-3", false, "8", -ENOENT, "--pmu=8: no such host CPU PMU");
}
END_TEST

START_TEST(test_bl_affinity_one_pmu)
{
	struct host_pmus h = big_little();
	struct pmu_plan p = plan_ok(&h, "2-3", true, NULL, "armv8_cortex_a72", "2-3",
				    "armv8_cortex_a72 (type 10): the only one of 2 CPU PMUs covering "
				    "the usable CPUs 2-3");

	/* Heterogeneous is about the host, not the usable CPUs. */
	ck_assert(p.heterogeneous);
	ck_assert_uint_eq(p.pmus_covering, 1);
	plan_ok(&h, "0", true, NULL, "armv8_cortex_a53", "0",
		"armv8_cortex_a53 (type 9): the only one of 2 CPU PMUs covering the usable CPUs 0");
	plan_ok(&h, "3", true, "armv8_cortex_a72", "armv8_cortex_a72", "3",
		"armv8_cortex_a72 (type 10): requested with --pmu=armv8_cortex_a72");
}
END_TEST

START_TEST(test_bl_affinity_spans)
{
	struct host_pmus h = big_little();

	FAILS(&h, "1-2", true, NULL, -EINVAL, "--vcpu-affinity CPUs 1-2 span 2 CPU PMUs",
	      "armv8_cortex_a53 (type 9, CPUs 0-1)", "armv8_cortex_a72 (type 10, CPUs 2-3)");
	/* A request does not make a spanning affinity acceptable. */
	FAILS(&h, "0-3", true, "armv8_cortex_a72", -EINVAL, "span 2 CPU PMUs",
	      "armv8_cortex_a53 (type 9, CPUs 0-1), armv8_cortex_a72 (type 10, CPUs 2-3)");
}
END_TEST

START_TEST(test_bl_request_covers_none)
{
	struct host_pmus h = big_little();

	FAILS(&h, "0-1", true, "armv8_cortex_a72", -EINVAL,
	      "armv8_cortex_a72 (type 10, CPUs 2-3) covers none of the usable CPUs 0-1");
	FAILS(&h, "2-3", false, "9", -EINVAL,
	      "armv8_cortex_a53 (type 9, CPUs 0-1) covers none of the usable CPUs 2-3");
}
END_TEST

START_TEST(test_bl_uncovered)
{
	struct host_pmus h = big_little();

	FAILS(&h, "4-7", false, NULL, -EINVAL, "no CPU PMU covers any of the usable CPUs 4-7",
	      "armv8_cortex_a53 (type 9, CPUs 0-1), armv8_cortex_a72 (type 10, CPUs 2-3)");
}
END_TEST

/* Three clusters, as on recent phones: the biggest cluster wins outright, ties go to the higher type. */
START_TEST(test_three_clusters)
{
	struct host_pmus h = { 0 };

	add_pmu(&h, "armv8_cortex_a55", 9, "0-3");
	add_pmu(&h, "armv8_cortex_a78", 10, "4-6");
	add_pmu(&h, "armv8_cortex_x1", 11, "7");
	plan_ok(&h, "0-7", false, NULL, "armv8_cortex_a55", "0-3",
		"armv8_cortex_a55 (type 9): covers 4 of 8 usable CPUs, the most");
	plan_ok(&h, "2-7", false, NULL, "armv8_cortex_a78", "4-6",
		"armv8_cortex_a78 (type 10): covers 3 of 6 usable CPUs, the most");
	/* a55 2, a78 2, x1 1: the tie between a55 and a78 goes to a78. */
	plan_ok(&h, "2-5,7", false, NULL, "armv8_cortex_a78", "4-5",
		"armv8_cortex_a78 (type 10): covers 2 of 5 usable CPUs, the most; tie broken by higher type id");
	/* a55 1, a78 1, x1 1: x1 has the highest type. */
	plan_ok(&h, "3-4,7", false, NULL, "armv8_cortex_x1", "7",
		"armv8_cortex_x1 (type 11): covers 1 of 3 usable CPUs, the most; tie broken by higher type id");
	FAILS(&h, "3-4,7", true, NULL, -EINVAL, "span 3 CPU PMUs", "armv8_cortex_x1 (type 11, CPUs 7)");
}
END_TEST

/* A tie for second place is not a tie: only a tie at the top is mentioned. */
START_TEST(test_tie_only_at_top)
{
	struct host_pmus h = { 0 };

	add_pmu(&h, "pmu_a", 3, "0");
	add_pmu(&h, "pmu_b", 4, "1");
	add_pmu(&h, "pmu_c", 5, "2-3");
	plan_ok(&h, "0-3", false, NULL, "pmu_c", "2-3", "pmu_c (type 5): covers 2 of 4 usable CPUs, the most");
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("pmu_plan");
	TCase *homo = tcase_create("homogeneous");
	TCase *bl = tcase_create("big_little");
	TCase *more = tcase_create("more");

	tcase_add_test(homo, test_homo_auto);
	tcase_add_test(homo, test_homo_request);
	tcase_add_test(homo, test_homo_unknown);
	tcase_add_test(homo, test_homo_affinity);
	tcase_add_test(homo, test_homo_uncovered);
	tcase_add_test(homo, test_empty_usable);
	tcase_add_test(homo, test_no_pmu);
	tcase_add_test(bl, test_bl_auto_tie);
	tcase_add_test(bl, test_bl_auto_most);
	tcase_add_test(bl, test_bl_request);
	tcase_add_test(bl, test_bl_unknown);
	tcase_add_test(bl, test_bl_affinity_one_pmu);
	tcase_add_test(bl, test_bl_affinity_spans);
	tcase_add_test(bl, test_bl_request_covers_none);
	tcase_add_test(bl, test_bl_uncovered);
	tcase_add_test(more, test_three_clusters);
	tcase_add_test(more, test_tie_only_at_top);
	suite_add_tcase(s, homo);
	suite_add_tcase(s, bl);
	suite_add_tcase(s, more);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
