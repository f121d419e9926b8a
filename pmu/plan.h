/* plan.h: which host CPU PMU a --pmu guest gets and which host CPUs its vCPU threads are pinned to (pure logic). */
#ifndef LKVM_PLAN_H
#define LKVM_PLAN_H

#include <stdbool.h>

#include "pmu/cpulist.h"
#include "pmu/host.h"
#include "vmm/err.h"

struct pmu_plan_input {
	const struct host_pmus *pmus;	/* from host_pmus_discover() */
	const struct cpuset *usable;	/* process affinity, intersected with --vcpu-affinity if given (cpuset_and) */
	bool affinity_explicit;		/* --vcpu-affinity was given */
	const char *request;		/* --pmu=VALUE: a PMU name or a decimal type id; NULL or "" = choose */
};

struct pmu_plan {
	struct host_pmu pmu;		/* the chosen PMU (a copy) */
	struct cpuset pin;		/* pmu.cpus & usable, never empty: the CPUs vCPU threads may run on */
	unsigned int usable_count;	/* CPUs in the usable set */
	unsigned int pmus_covering;	/* CPU PMUs covering at least one usable CPU */
	/*
	 * The host has more than one CPU PMU (big.LITTLE and the like), counted
	 * over the whole host rather than the usable CPUs: even when only one
	 * PMU covers the usable CPUs, an unpinned thread could be moved to a
	 * core of another type later (affinity changes, hotplug), so the VMM
	 * must name the PMU to KVM (KVM_ARM_VCPU_PMU_V3_SET_PMU) and pin.
	 */
	bool heterogeneous;
	char reason[256];		/* one line: "armv8_pmuv3 (type 8): the only CPU PMU" */
};

/*
 * Chooses the PMU and the pin set.  With a request, the PMU whose name is
 * exactly the request, else (all digits) the one with that type id.  Without
 * one, the PMU covering the most usable CPUs, ties going to the higher type
 * id.  An explicit --vcpu-affinity is never narrowed silently: its CPUs must
 * all belong to the chosen PMU.  Returns 0, or -errno with one line naming
 * PMUs and CPUs:
 *   -ENODEV  no CPU PMU was discovered
 *   -EINVAL  the usable set is empty
 *   -EINVAL  an explicit affinity spans CPUs of two or more PMUs, or has CPUs no PMU covers
 *   -ENOENT  the requested PMU is not a host CPU PMU (the message lists them)
 *   -EINVAL  the chosen PMU covers none of the usable CPUs
 */
int pmu_plan_choose(const struct pmu_plan_input *in, struct pmu_plan *out, struct err *e);

#endif
