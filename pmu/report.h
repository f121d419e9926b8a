/* report.h: the text of `lkvm pmu list`: the host's CPU PMUs and what `lkvm run --pmu` would choose here. */
#ifndef LKVM_REPORT_H
#define LKVM_REPORT_H

#include <stdio.h>

#include "pmu/plan.h"
#include "vmm/err.h"

/*
 * Writes to f: a table of in->pmus' CPU PMUs (NAME, TYPE, CPUS, COUNTERS
 * with "-" for unknown), or "no CPU PMUs" line; a line counting the non-CPU
 * PMUs left out; each discovery warning as "warning: ..."; and a last line
 * saying what `lkvm run --pmu` would choose with in (pmu_plan_choose()) and
 * why, with the pin set, or why it would fail.  A plan failure is part of the
 * report, not an error.  Returns 0, or -EIO with a message if writing failed.
 */
int pmu_report_write(FILE *f, const struct pmu_plan_input *in, struct err *e);

#endif
