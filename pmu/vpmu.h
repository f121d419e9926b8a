/* vpmu.h: a VM's guest PMUv3 and host CPU placement: the plan, and the one KVM sequence that sets it up. */
#ifndef LKVM_VPMU_H
#define LKVM_VPMU_H

#include <stdbool.h>
#include <linux/kvm.h>

#include "pmu/cpulist.h"
#include "pmu/plan.h"
#include "vmm/config.h"
#include "vmm/err.h"

/*
 * The sequence, in the order the KVM API requires (Documentation/virt/kvm/
 * devices/vcpu.rst, "ARM64 VCPU PMU"), each step called once from vmm/ or
 * arm64/ at the point named:
 *
 *   1. vpmu_plan()            before the VM: host PMUs from sysfs, the chosen
 *                             PMU, the pin set (pure; sysfs root a parameter)
 *   2. vpmu_check_kvm()       after KVM_CREATE_VM, before any vcpu:
 *                             KVM_CAP_ARM_PMU_V3
 *   3. vpmu_vcpu_features()   the KVM_ARM_VCPU_PMU_V3 bit for KVM_ARM_VCPU_INIT
 *   4. vpmu_vcpu_configure()  per vcpu, after KVM_ARM_VCPU_INIT:
 *                             SET_PMU (choosing a PMU resets the counter
 *                             limit, and fails once a filter exists), then
 *                             the counter limit (SET_NR_COUNTERS, or
 *                             PMCR_EL0.N through KVM_SET_ONE_REG), then
 *                             FILTER, then IRQ
 *   5. (arm64/gic.c)          vGIC KVM_DEV_ARM_VGIC_CTRL_INIT
 *   6. vpmu_vcpu_init()       per vcpu: KVM_ARM_VCPU_PMU_V3_INIT, which needs
 *                             the initialised vGIC and the IRQ
 *   7. (fdt/)                 the "arm,armv8-pmuv3" node with the PPI
 *   8. (vmm/run.c)            each vcpu thread starts with affinity = pin_set,
 *                             so it never runs where its PMU cannot count
 */
struct vpmu {
	bool enabled;			/* --pmu */
	unsigned irq;			/* overflow PPI INTID */
	bool have_plan;			/* plan is valid (--pmu) */
	struct pmu_plan plan;
	bool pin;			/* vcpu threads get pin_set as their affinity */
	struct cpuset pin_set;
	bool set_pmu;			/* KVM has SET_PMU and lkvm uses it */
	unsigned counters;		/* --pmu-counters, 0: leave KVM's default */
	const struct pmu_event_filter *filter;	/* --pmu-events (filter->set) */
};

/*
 * Step 1.  process is the process's CPU affinity.  Without --pmu, only
 * --vcpu-affinity is applied (pin to it ∩ process).  With --pmu, the host
 * PMU is chosen by pmu_plan_choose() and the pin set is its CPUs ∩ usable;
 * --pmu-no-pin keeps the choice but skips pinning (and takes every CPU of
 * the host as usable, so a bad placement can be forced for testing).
 */
int vpmu_plan(struct vpmu *v, const struct vm_config *cfg, const char *sysfs_root,
	      const struct cpuset *process, struct err *e);

/* Number of host CPUs the vcpus may use (for the default vcpu count). */
unsigned vpmu_usable_cpus(const struct vpmu *v, const struct cpuset *process);

int vpmu_check_kvm(const struct vpmu *v, int vm_fd, struct err *e);
void vpmu_vcpu_features(const struct vpmu *v, struct kvm_vcpu_init *init);
int vpmu_vcpu_configure(struct vpmu *v, int vcpu_fd, unsigned vcpu_id, struct err *e);
int vpmu_vcpu_init(const struct vpmu *v, int vcpu_fd, struct err *e);

#endif
