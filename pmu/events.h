/* events.h: PMUv3 common event names and the --pmu-events allow:/deny: list parser (pure). */
#ifndef LKVM_EVENTS_H
#define LKVM_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/err.h"

#define PMU_EVENT_MAX		0xffff	/* PMEVTYPER.evtCount is 16 bits (Arm ARM D17.5) */
#define PMU_FILTER_MAX_RANGES	64
#define PMU_EVENT_CPU_CYCLES	0x11

/* One contiguous range [base, base + n) of event numbers. */
struct pmu_event_range {
	uint16_t base;
	uint32_t n;		/* 1..0x10000 */
};

/*
 * --pmu-events allow:LIST or deny:LIST.  KVM's first filter sets the default
 * for every other event (allow-list: the rest is denied; deny-list: the rest
 * is allowed), so one list with one polarity says it all.
 */
struct pmu_event_filter {
	bool set;
	bool allow;
	unsigned nr;
	struct pmu_event_range r[PMU_FILTER_MAX_RANGES];
};

/* The architectural name of a common event (0x0000..0x003f), or NULL. */
const char *pmu_event_name(unsigned event);

/* The number of a common event name (case-insensitive), or -1. */
int pmu_event_number(const char *name);

/*
 * Parses "allow:LIST" / "deny:LIST"; LIST is comma-separated items, each an
 * event name, a number (decimal or 0x hex, up to 0xffff) or a range A-B of
 * those.  Overlapping ranges are kept as given (KVM ORs them in).  Errors
 * name the bad item; an unknown name lists the known ones.
 */
int pmu_events_parse(const char *spec, struct pmu_event_filter *f, struct err *e);

/* Whether the filter lets the guest count event. */
bool pmu_filter_allows(const struct pmu_event_filter *f, unsigned event);

/* Writes the known event names, as "0x11 cpu_cycles" lines, to out. */
void pmu_events_list(FILE *out);

#endif
