/* plan.c: chooses the guest's PMU among the host CPU PMUs and derives the vCPU pin set, explaining the choice in one line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/plan.h"

/* Room for "name (type N, CPUs list)" entries in a message; err truncates beyond its own 512. */
#define LIST_MAX 512

static unsigned int covered(const struct host_pmu *pmu, const struct cpuset *usable)
{
	struct cpuset both;

	cpuset_and(&both, &pmu->cpus, usable);
	return cpuset_count(&both);
}

/*
 * Writes "a53 (type 9, CPUs 0-1), a72 (type 10, CPUs 2-3)" for the PMUs
 * covering some of usable (all PMUs if usable is NULL); CPUs only if asked.
 */
static const char *describe_pmus(const struct host_pmus *pmus, const struct cpuset *usable,
				 bool with_cpus, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < pmus->count && len < size; i++) {
		const struct host_pmu *p = &pmus->pmu[i];
		struct cpulist_buf cb;

		if (usable && !covered(p, usable))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s (type %u%s%s)", len ? ", " : "",
					p->name, p->type, with_cpus ? ", CPUs " : "",
					with_cpus ? cpulist_str(&p->cpus, &cb) : "");
	}
	return buf;
}

/* Counts the PMUs covering usable CPUs, and remembers the best one: most CPUs, then highest type. */
static unsigned int rank_pmus(const struct pmu_plan_input *in, const struct host_pmu **best, bool *tie)
{
	unsigned int n = 0, best_cov = 0;

	*best = NULL;
	*tie = false;
	for (unsigned int i = 0; i < in->pmus->count; i++) {
		const struct host_pmu *p = &in->pmus->pmu[i];
		unsigned int cov = covered(p, in->usable);

		if (!cov)
			continue;
		n++;
		/* pmu[] ascends by type, so ">=" lets a later, higher type win a tie. */
		if (cov >= best_cov) {
			*tie = cov == best_cov;
			best_cov = cov;
			*best = p;
		}
	}
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Sets *p to the PMU named by the request, or having it as type id; else fails listing the host's PMUs. */
static int resolve_request(const struct pmu_plan_input *in, const struct host_pmu **p, struct err *e)
{
	char list[LIST_MAX];

	*p = host_pmus_find_name(in->pmus, in->request);
	if (!*p && all_digits(in->request)) {
		unsigned long type;

		errno = 0;
		type = strtoul(in->request, NULL, 10);
		if (!errno && type <= UINT32_MAX)
			*p = host_pmus_find_type(in->pmus, (uint32_t)type);
	}
	if (*p)
		return 0;
	return err_set(e, ENOENT, "--pmu=%s: no such host CPU PMU; the host has %s", in->request,
		       describe_pmus(in->pmus, NULL, false, list, sizeof(list)));
}

/* Without a request: the best-ranked PMU, or a message if none covers a usable CPU. */
static int check_best(const struct pmu_plan_input *in, const struct host_pmu *best, struct err *e)
{
	char list[LIST_MAX];
	struct cpulist_buf ub;

	if (best)
		return 0;
	return err_set(e, EINVAL, "no CPU PMU covers any of the usable CPUs %s; the host has %s",
		       cpulist_str(in->usable, &ub),
		       describe_pmus(in->pmus, NULL, true, list, sizeof(list)));
}

/* What must hold whatever the request: some CPU PMU, some usable CPU, an explicit affinity within one PMU. */
static int check_inputs(const struct pmu_plan_input *in, unsigned int pmus_covering, struct err *e)
{
	char list[LIST_MAX];
	struct cpulist_buf ub;

	if (!in->pmus->count)
		return err_set(e, ENODEV, "no CPU PMU on this host: no PMU in sysfs %s has a cpus file",
			       HOST_PMU_DEVICES_DIR);
	if (cpuset_empty(in->usable))
		return err_set(e, EINVAL, "no usable host CPUs: the process CPU affinity%s is empty",
			       in->affinity_explicit ? " intersected with --vcpu-affinity" : "");
	if (in->affinity_explicit && pmus_covering > 1)
		return err_set(e, EINVAL,
			       "--vcpu-affinity CPUs %s span %u CPU PMUs: %s; give CPUs of one PMU only",
			       cpulist_str(in->usable, &ub), pmus_covering,
			       describe_pmus(in->pmus, in->usable, true, list, sizeof(list)));
	return 0;
}

/* The chosen PMU must cover some usable CPU, and all of an explicit affinity. */
static int check_cover(const struct pmu_plan_input *in, const struct host_pmu *p, struct err *e)
{
	struct cpulist_buf pb, ub;

	if (!covered(p, in->usable))
		return err_set(e, EINVAL, "%s (type %u, CPUs %s) covers none of the usable CPUs %s",
			       p->name, p->type, cpulist_str(&p->cpus, &pb),
			       cpulist_str(in->usable, &ub));
	if (in->affinity_explicit && !cpuset_is_subset(in->usable, &p->cpus))
		return err_set(e, EINVAL,
			       "--vcpu-affinity CPUs %s are not all covered by %s (type %u, CPUs %s)",
			       cpulist_str(in->usable, &ub), p->name, p->type,
			       cpulist_str(&p->cpus, &pb));
	return 0;
}

static void explain_auto(const struct pmu_plan_input *in, struct pmu_plan *out, bool tie)
{
	const struct host_pmu *p = &out->pmu;
	int n = snprintf(out->reason, sizeof(out->reason), "%s (type %u): ", p->name, p->type);
	char *r = out->reason + n;
	size_t left = sizeof(out->reason) - (size_t)n;
	struct cpulist_buf ub;

	if (in->pmus->count == 1)
		snprintf(r, left, "the only CPU PMU");
	else if (out->pmus_covering == 1)
		snprintf(r, left, "the only one of %u CPU PMUs covering the usable CPUs %s",
			 in->pmus->count, cpulist_str(in->usable, &ub));
	else
		snprintf(r, left, "covers %u of %u usable CPUs, the most%s", cpuset_count(&out->pin),
			 out->usable_count, tie ? "; tie broken by higher type id" : "");
}

int pmu_plan_choose(const struct pmu_plan_input *in, struct pmu_plan *out, struct err *e)
{
	bool requested = in->request && *in->request;
	const struct host_pmu *p;
	bool tie;
	int ret;

	memset(out, 0, sizeof(*out));
	out->pmus_covering = rank_pmus(in, &p, &tie);
	ret = check_inputs(in, out->pmus_covering, e);
	if (ret)
		return ret;
	ret = requested ? resolve_request(in, &p, e) : check_best(in, p, e);
	if (!ret)
		ret = check_cover(in, p, e);
	if (ret)
		return ret;

	out->pmu = *p;
	cpuset_and(&out->pin, &p->cpus, in->usable);
	out->usable_count = cpuset_count(in->usable);
	out->heterogeneous = in->pmus->count > 1;
	if (requested)
		snprintf(out->reason, sizeof(out->reason), "%s (type %u): requested with --pmu=%s",
			 p->name, p->type, in->request);
	else
		explain_auto(in, out, tie);
	return 0;
}
