/* report.c: formats the host PMU table and the --pmu choice for `lkvm pmu list`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pmu/report.h"

struct widths {
	int name, type, cpus;
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* Column widths: the widest value, at least the header's. */
static struct widths measure(const struct host_pmus *pmus)
{
	struct widths w = { .name = 4, .type = 4, .cpus = 4 };

	for (unsigned int i = 0; i < pmus->count; i++) {
		struct cpulist_buf cb;
		char type[16];

		w.name = max_int(w.name, (int)strlen(pmus->pmu[i].name));
		w.type = max_int(w.type, snprintf(type, sizeof(type), "%u", pmus->pmu[i].type));
		w.cpus = max_int(w.cpus, (int)strlen(cpulist_str(&pmus->pmu[i].cpus, &cb)));
	}
	return w;
}

static void write_table(FILE *f, const struct host_pmus *pmus)
{
	struct widths w = measure(pmus);

	if (!pmus->count) {
		fprintf(f, "no CPU PMUs (no perf PMU in sysfs %s has a cpus file)\n", HOST_PMU_DEVICES_DIR);
		return;
	}
	fprintf(f, "%-*s  %*s  %-*s  %s\n", w.name, "NAME", w.type, "TYPE", w.cpus, "CPUS", "COUNTERS");
	for (unsigned int i = 0; i < pmus->count; i++) {
		const struct host_pmu *p = &pmus->pmu[i];
		struct cpulist_buf cb;
		char counters[16] = "-";

		if (p->counters != HOST_PMU_COUNTERS_UNKNOWN)
			snprintf(counters, sizeof(counters), "%d", p->counters);
		fprintf(f, "%-*s  %*u  %-*s  %s\n", w.name, p->name, w.type, p->type, w.cpus,
			cpulist_str(&p->cpus, &cb), counters);
	}
}

static void write_notes(FILE *f, const struct host_pmus *pmus)
{
	if (pmus->non_cpu)
		fprintf(f, "%u non-CPU PMU%s not listed (software, tracepoint, uncore, SPE and the like)\n",
			pmus->non_cpu, pmus->non_cpu == 1 ? "" : "s");
	for (unsigned int i = 0; i < pmus->nwarn; i++)
		fprintf(f, "warning: %s\n", pmus->warn[i]);
	if (pmus->warn_dropped)
		fprintf(f, "warning: %u more PMUs skipped\n", pmus->warn_dropped);
}

static void write_choice(FILE *f, const struct pmu_plan_input *in)
{
	const char *req = in->request && *in->request ? in->request : NULL;
	struct err perr = { 0 };
	struct pmu_plan plan;
	struct cpulist_buf pb;

	fprintf(f, "lkvm run --pmu%s%s ", req ? "=" : "", req ? req : "");
	if (pmu_plan_choose(in, &plan, &perr)) {
		fprintf(f, "would fail here: %s\n", perr.msg);
		return;
	}
	fprintf(f, "would use %s; vCPU threads pinned to CPUs %s\n", plan.reason,
		cpulist_str(&plan.pin, &pb));
}

int pmu_report_write(FILE *f, const struct pmu_plan_input *in, struct err *e)
{
	write_table(f, in->pmus);
	write_notes(f, in->pmus);
	write_choice(f, in);
	if (fflush(f) || ferror(f))
		return err_set(e, EIO, "writing the PMU list failed");
	return 0;
}
