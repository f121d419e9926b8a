/* vpmu.c: plans a VM's host PMU and CPU placement and drives KVM's vcpu PMU attributes in the documented order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/host.h"
#include "pmu/vpmu.h"
#include "vmm/kvm.h"
#include "vmm/log.h"

static int usable_set(const struct vm_config *cfg, const struct cpuset *process,
		      struct cpuset *usable, struct err *e)
{
	struct cpulist_buf b1, b2;
	struct err parse = { 0 };
	struct cpuset want;
	int ret;

	*usable = *process;
	if (!cfg->vcpu_affinity)
		return 0;
	ret = cpulist_parse(cfg->vcpu_affinity, &want, &parse);
	if (ret)
		return err_set(e, -ret, "--vcpu-affinity: %s", parse.msg);
	if (cpuset_empty(&want))
		return err_set(e, EINVAL, "--vcpu-affinity: empty CPU list");
	if (!cpuset_is_subset(&want, process))
		return err_set(e, EINVAL, "--vcpu-affinity %s: lkvm may only run on CPUs %s",
			       cpulist_str(&want, &b1), cpulist_str(process, &b2));
	*usable = want;
	return 0;
}

/* Every CPU some CPU PMU covers. */
static void covered_cpus(const struct host_pmus *pmus, struct cpuset *all)
{
	unsigned i;

	cpuset_zero(all);
	for (i = 0; i < pmus->count; i++)
		cpuset_or(all, all, &pmus->pmu[i].cpus);
}

static int choose_pmu(struct vpmu *v, const struct vm_config *cfg, const struct host_pmus *pmus,
		      struct cpuset *usable, struct err *e)
{
	struct pmu_plan_input in;
	struct cpulist_buf b;
	unsigned i;
	int ret;

	for (i = 0; i < pmus->nwarn; i++)
		pr_warn("host PMUs: %s", pmus->warn[i]);
	if (cfg->pmu_no_pin)
		covered_cpus(pmus, usable);
	in = (struct pmu_plan_input){
		.pmus = pmus,
		.usable = usable,
		.affinity_explicit = cfg->vcpu_affinity != NULL,
		.request = cfg->pmu_name,
	};
	ret = pmu_plan_choose(&in, &v->plan, e);
	if (ret)
		return ret;
	v->have_plan = true;
	v->pin = !cfg->pmu_no_pin;
	v->pin_set = v->plan.pin;
	/* On big.LITTLE the choice is the user's business: always say which and why. */
	if (v->plan.heterogeneous)
		pr_notice("--pmu: %s; vcpu threads %s CPUs %s", v->plan.reason,
			  v->pin ? "pinned to" : "NOT pinned (--pmu-no-pin), PMU covers",
			  cpulist_str(&v->plan.pin, &b));
	else
		pr_info("--pmu: %s", v->plan.reason);
	return 0;
}

int vpmu_plan(struct vpmu *v, const struct vm_config *cfg, const char *sysfs_root,
	      const struct cpuset *process, struct err *e)
{
	struct host_pmus *pmus;
	struct cpuset usable;
	int ret;

	memset(v, 0, sizeof(*v));
	v->enabled = cfg->pmu;
	v->irq = cfg->pmu_irq;
	v->counters = cfg->pmu_counters;
	v->filter = &cfg->pmu_events;
	ret = usable_set(cfg, process, &usable, e);
	if (ret)
		return ret;
	if (!cfg->pmu) {
		v->pin = cfg->vcpu_affinity != NULL;
		v->pin_set = usable;
		return 0;
	}
	pmus = malloc(sizeof(*pmus));
	if (!pmus)
		return err_set(e, ENOMEM, "out of memory");
	ret = host_pmus_discover(sysfs_root, pmus, e);
	if (!ret)
		ret = choose_pmu(v, cfg, pmus, &usable, e);
	free(pmus);
	return ret;
}

unsigned vpmu_usable_cpus(const struct vpmu *v, const struct cpuset *process)
{
	return cpuset_count(v->pin ? &v->pin_set : process);
}

int vpmu_check_kvm(const struct vpmu *v, int vm_fd, struct err *e)
{
	if (v->enabled && !kvm_check_cap(vm_fd, KVM_CAP_ARM_PMU_V3))
		return err_set(e, ENOTSUP, "--pmu: host KVM lacks KVM_CAP_ARM_PMU_V3 (no guest PMU support)");
	return 0;
}

void vpmu_vcpu_features(const struct vpmu *v, struct kvm_vcpu_init *init)
{
	if (v->enabled)
		init->features[0] |= 1U << KVM_ARM_VCPU_PMU_V3;
}

static int pmu_attr(int vcpu_fd, uint64_t attr, const void *val, const char *name, struct err *e)
{
	if (!kvm_has_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_CTRL, attr))
		return err_set(e, ENOTSUP, "--pmu: host KVM lacks %s", name);
	return kvm_set_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_CTRL, attr, val, name, e);
}

static int configure_set_pmu(struct vpmu *v, int vcpu_fd, unsigned vcpu_id, struct err *e)
{
	int type = v->plan.pmu.type;

	if (vcpu_id == 0)
		v->set_pmu = kvm_has_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_CTRL,
					  KVM_ARM_VCPU_PMU_V3_SET_PMU);
	if (!v->set_pmu) {
		/* Pre-5.18 KVM binds the PMU it probed first; harmless only where there is one. */
		if (vcpu_id == 0 && v->plan.heterogeneous)
			pr_warn("--pmu: host KVM lacks KVM_ARM_VCPU_PMU_V3_SET_PMU: KVM picks the host PMU itself, "
				"which may not be %s; vcpus stay pinned to its CPUs", v->plan.pmu.name);
		return 0;
	}
	return pmu_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_SET_PMU, &type,
			"KVM_ARM_VCPU_PMU_V3_SET_PMU", e);
}

/* Not yet in every uapi header: Linux 6.16's vcpu attribute to limit the guest's counters. */
#ifndef KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
#define KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS 4
#endif

#define PMCR_EL0	ARM64_SYS_REG(3, 3, 9, 12, 0)
#define PMCR_N_SHIFT	11
#define PMCR_N_MASK	(0x1fULL << PMCR_N_SHIFT)

static int pmcr_write_n(int vcpu_fd, uint64_t pmcr, unsigned n, unsigned *got, struct err *e)
{
	uint64_t val = (pmcr & ~PMCR_N_MASK) | ((uint64_t)n << PMCR_N_SHIFT);
	int ret = kvm_set_one_reg(vcpu_fd, PMCR_EL0, val, "PMCR_EL0", e);

	if (!ret)
		ret = kvm_get_one_reg(vcpu_fd, PMCR_EL0, &val, "PMCR_EL0", e);
	*got = (val & PMCR_N_MASK) >> PMCR_N_SHIFT;
	return ret;
}

/*
 * Before SET_NR_COUNTERS, Linux 6.7+ lets userspace write PMCR_EL0.N before
 * the VM first runs, and ignores an N above the host's.  Older kernels store
 * any N in the register without honouring it (the guest then misbehaves), so
 * first probe with N = 31: a kernel that keeps it does not implement the
 * limit.
 */
static int limit_by_pmcr(const struct vpmu *v, int vcpu_fd, uint64_t pmcr, unsigned host_n,
			 struct err *e)
{
	unsigned got;
	int ret;

	ret = host_n < 31 ? pmcr_write_n(vcpu_fd, pmcr, 31, &got, e) : 0;
	if (ret)
		return ret;
	if (host_n < 31 && got == 31) {
		kvm_set_one_reg(vcpu_fd, PMCR_EL0, pmcr, "PMCR_EL0", NULL);
		return err_set(e, ENOTSUP,
			       "--pmu-counters: host KVM can limit guest counters neither with "
			       "KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS (Linux 6.16+) nor through PMCR_EL0.N (Linux 6.7+)");
	}
	ret = pmcr_write_n(vcpu_fd, pmcr, v->counters, &got, e);
	if (!ret && got != v->counters)
		return err_set(e, EIO, "--pmu-counters %u: KVM kept PMCR_EL0.N at %u", v->counters, got);
	return ret;
}

static int configure_counters(const struct vpmu *v, int vcpu_fd, struct err *e)
{
	unsigned n = v->counters, host_n;
	uint64_t pmcr;
	int ret;

	if (!n)
		return 0;
	/* After SET_PMU (or KVM's default PMU), PMCR_EL0.N is that PMU's count, whichever way limits it. */
	ret = kvm_get_one_reg(vcpu_fd, PMCR_EL0, &pmcr, "PMCR_EL0", e);
	if (ret)
		return ret;
	host_n = (pmcr & PMCR_N_MASK) >> PMCR_N_SHIFT;
	if (n > host_n)
		return err_set(e, EINVAL, "--pmu-counters %u: the host PMU has %u counters", n, host_n);
	if (!kvm_has_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS))
		return limit_by_pmcr(v, vcpu_fd, pmcr, host_n, e);
	/* SET_NR_COUNTERS needs the PMU named explicitly first (its doc). */
	if (!v->set_pmu)
		return err_set(e, ENOTSUP, "--pmu-counters: KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS needs SET_PMU");
	return pmu_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS, &n,
			"KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS", e);
}

/* The filter bitmap is VM-wide; setting the same ranges on every vcpu changes nothing after the first. */
static int configure_filter(const struct vpmu *v, int vcpu_fd, struct err *e)
{
	const struct pmu_event_filter *f = v->filter;
	unsigned i;
	int ret = 0;

	if (!f || !f->set)
		return 0;
	for (i = 0; !ret && i < f->nr; i++) {
		uint32_t base = f->r[i].base, left = f->r[i].n;

		/* nevents is 16 bits: the whole 0..0xffff space takes two calls. */
		while (!ret && left) {
			struct kvm_pmu_event_filter kf = {
				.base_event = base,
				.nevents = left > 0xffff ? 0xffff : left,
				.action = f->allow ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY,
			};

			ret = pmu_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_FILTER, &kf,
				       "KVM_ARM_VCPU_PMU_V3_FILTER", e);
			base += kf.nevents;
			left -= kf.nevents;
		}
	}
	return ret;
}

int vpmu_vcpu_configure(struct vpmu *v, int vcpu_fd, unsigned vcpu_id, struct err *e)
{
	int irq = v->irq;
	int ret;

	if (!v->enabled)
		return 0;
	ret = configure_set_pmu(v, vcpu_fd, vcpu_id, e);
	if (!ret)
		ret = configure_counters(v, vcpu_fd, e);
	if (!ret)
		ret = configure_filter(v, vcpu_fd, e);
	if (ret)
		return ret;
	return pmu_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_IRQ, &irq, "KVM_ARM_VCPU_PMU_V3_IRQ", e);
}

int vpmu_vcpu_init(const struct vpmu *v, int vcpu_fd, struct err *e)
{
	if (!v->enabled)
		return 0;
	return pmu_attr(vcpu_fd, KVM_ARM_VCPU_PMU_V3_INIT, NULL, "KVM_ARM_VCPU_PMU_V3_INIT", e);
}
