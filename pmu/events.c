/* events.c: the PMUv3 common event table (Arm ARM D17.11) and the parser of --pmu-events lists. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pmu/events.h"

/* Common architectural and microarchitectural events 0x00..0x3f, named as Linux's armv8 PMU driver names them. */
static const char *const common_events[] = {
	"sw_incr", "l1i_cache_refill", "l1i_tlb_refill", "l1d_cache_refill",
	"l1d_cache", "l1d_tlb_refill", "ld_retired", "st_retired",
	"inst_retired", "exc_taken", "exc_return", "cid_write_retired",
	"pc_write_retired", "br_immed_retired", "br_return_retired", "unaligned_ldst_retired",
	"br_mis_pred", "cpu_cycles", "br_pred", "mem_access",
	"l1i_cache", "l1d_cache_wb", "l2d_cache", "l2d_cache_refill",
	"l2d_cache_wb", "bus_access", "memory_error", "inst_spec",
	"ttbr_write_retired", "bus_cycles", "chain", "l1d_cache_allocate",
	"l2d_cache_allocate", "br_retired", "br_mis_pred_retired", "stall_frontend",
	"stall_backend", "l1d_tlb", "l1i_tlb", "l2i_cache",
	"l2i_cache_refill", "l3d_cache_allocate", "l3d_cache_refill", "l3d_cache",
	"l3d_cache_wb", "l2d_tlb_refill", "l2i_tlb_refill", "l2d_tlb",
	"l2i_tlb", "remote_access", "ll_cache", "ll_cache_miss",
	"dtlb_walk", "itlb_walk", "ll_cache_rd", "ll_cache_miss_rd",
	"remote_access_rd", "l1d_cache_lmiss_rd", "op_retired", "op_spec",
	"stall", "stall_slot_backend", "stall_slot_frontend", "stall_slot",
};

#define NR_COMMON (sizeof(common_events) / sizeof(common_events[0]))

const char *pmu_event_name(unsigned event)
{
	return event < NR_COMMON ? common_events[event] : NULL;
}

int pmu_event_number(const char *name)
{
	unsigned i;

	for (i = 0; i < NR_COMMON; i++)
		if (!strcasecmp(name, common_events[i]))
			return i;
	return -1;
}

void pmu_events_list(FILE *out)
{
	unsigned i;

	for (i = 0; i < NR_COMMON; i++)
		fprintf(out, "0x%02x %s\n", i, common_events[i]);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	size_t lead = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[lead]))
		lead++;
	memmove(s, s + lead, n - lead + 1);
}

/* An event number or name; -1 if neither. */
static long parse_event(char *tok)
{
	unsigned long v;
	char *end;

	trim(tok);
	if (isdigit((unsigned char)tok[0])) {
		errno = 0;
		v = strtoul(tok, &end, 0);
		if (errno || *end || v > PMU_EVENT_MAX)
			return -1;
		return v;
	}
	return pmu_event_number(tok);
}

static int bad_item(const char *item, struct err *e)
{
	char names[NR_COMMON * 24];
	size_t n = 0;
	unsigned i;

	for (i = 0; i < NR_COMMON && n < sizeof(names); i++)
		n += snprintf(names + n, sizeof(names) - n, "%s%s", i ? "," : "", common_events[i]);
	return err_set(e, EINVAL,
		       "--pmu-events: '%s' is not an event number (0..0xffff), name or range; names: %s",
		       item, names);
}

static int add_item(char *item, struct pmu_event_filter *f, struct err *e)
{
	char copy[64];
	char *dash;
	long lo, hi;

	snprintf(copy, sizeof(copy), "%s", item);
	if (!*item)
		return bad_item(copy, e);
	/* A range splits at a '-' that is not the first character. */
	dash = strchr(item + 1, '-');
	if (dash)
		*dash = '\0';
	lo = parse_event(item);
	hi = dash ? parse_event(dash + 1) : lo;
	if (lo < 0 || hi < 0 || hi < lo)
		return bad_item(copy, e);
	if (f->nr == PMU_FILTER_MAX_RANGES)
		return err_set(e, EINVAL, "--pmu-events: more than %d items", PMU_FILTER_MAX_RANGES);
	f->r[f->nr++] = (struct pmu_event_range){ .base = lo, .n = hi - lo + 1 };
	return 0;
}

int pmu_events_parse(const char *spec, struct pmu_event_filter *f, struct err *e)
{
	char buf[1024];
	char *item, *rest = buf;
	const char *list;
	int ret;

	memset(f, 0, sizeof(*f));
	if (!strncmp(spec, "allow:", 6))
		f->allow = true;
	else if (strncmp(spec, "deny:", 5))
		return err_set(e, EINVAL, "--pmu-events: '%s' must start with allow: or deny:", spec);
	list = spec + (f->allow ? 6 : 5);
	if (strlen(list) >= sizeof(buf))
		return err_set(e, EINVAL, "--pmu-events: list too long");
	snprintf(buf, sizeof(buf), "%s", list);
	if (!buf[0])
		return err_set(e, EINVAL, "--pmu-events: '%s' lists no event", spec);
	while ((item = strsep(&rest, ","))) {
		ret = add_item(item, f, e);
		if (ret)
			return ret;
	}
	f->set = true;
	return 0;
}

bool pmu_filter_allows(const struct pmu_event_filter *f, unsigned event)
{
	unsigned i;

	if (!f->set)
		return true;
	for (i = 0; i < f->nr; i++)
		if (event >= f->r[i].base && event - f->r[i].base < f->r[i].n)
			return f->allow;
	return !f->allow;
}
