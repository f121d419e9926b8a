/* host.h: discovery of the host's CPU PMUs (arm_pmu instances) from sysfs, with the sysfs root as a parameter. */
#ifndef LKVM_HOST_H
#define LKVM_HOST_H

#include <stdint.h>

#include "pmu/cpulist.h"
#include "vmm/err.h"

#define HOST_SYSFS_ROOT "/sys"

/* Where, under the sysfs root, the kernel lists every registered perf PMU. */
#define HOST_PMU_DEVICES_DIR "bus/event_source/devices"

#define HOST_PMU_NAME_MAX 64	/* perf PMU names are short ("armv8_cortex_a72", "armv8_pmuv3_0") */
#define HOST_PMUS_MAX 32	/* CPU PMUs kept; real hosts have 1 to 3 */
#define HOST_WARN_MAX 8		/* warnings kept; later ones are only counted */
#define HOST_WARN_LEN 256

/* Counter count when the host does not say: arm_pmu publishes no sysfs file for PMCR_EL0.N. */
#define HOST_PMU_COUNTERS_UNKNOWN (-1)

struct host_pmu {
	char name[HOST_PMU_NAME_MAX];	/* directory name = perf PMU name */
	uint32_t type;			/* perf_event_attr.type, and KVM_ARM_VCPU_PMU_V3_SET_PMU's argument */
	struct cpuset cpus;		/* CPUs this PMU counts on, from its "cpus" file */
	int counters;			/* general-purpose counters, or HOST_PMU_COUNTERS_UNKNOWN */
};

struct host_pmus {
	unsigned int count;			/* entries used in pmu[] */
	struct host_pmu pmu[HOST_PMUS_MAX];	/* CPU PMUs, ascending type (then name) */
	unsigned int non_cpu;			/* PMUs without a "cpus" file: software, tracepoint, uncore, SPE... */
	unsigned int nwarn;			/* entries used in warn[] */
	unsigned int warn_dropped;		/* warnings beyond HOST_WARN_MAX, counted only */
	char warn[HOST_WARN_MAX][HOST_WARN_LEN]; /* one line each, e.g. "skipped PMU foo: ..." */
};

/*
 * Fills *out from <sysfs_root>/bus/event_source/devices/ (each entry a
 * symlink to the PMU's device directory in real sysfs; plain directories
 * work too).  A PMU with a "cpus" file is a CPU PMU (arm_pmu writes "type"
 * and "cpus"); any other PMU is only counted in non_cpu.  A CPU PMU whose
 * "type" is missing or malformed, whose "cpus" is malformed, whose name is
 * too long, or that does not fit in pmu[] is skipped with a line in warn[];
 * that is not an error.  Finding no CPU PMU is not an error either (the
 * plan reports it).  Fails, with -errno and a message naming the path, only
 * if the devices directory cannot be read.
 */
int host_pmus_discover(const char *sysfs_root, struct host_pmus *out, struct err *e);

/* The CPU PMU called name, or NULL. */
const struct host_pmu *host_pmus_find_name(const struct host_pmus *pmus, const char *name);

/* The CPU PMU with perf type id type, or NULL. */
const struct host_pmu *host_pmus_find_type(const struct host_pmus *pmus, uint32_t type);

#endif
