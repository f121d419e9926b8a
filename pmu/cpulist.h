/* cpulist.h: a fixed-size host CPU set and the Linux cpulist text form ("0-3,8,10-11") it is read from and written as. */
#ifndef LKVM_CPULIST_H
#define LKVM_CPULIST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/err.h"

/* Same capacity as glibc's cpu_set_t, so conversions in both directions are lossless. */
#define CPUSET_MAX 1024

/*
 * Longest canonical cpulist of a CPUSET_MAX set, plus the NUL: the worst case
 * is every other CPU ("0,2,4,...,1022"), 2004 characters.
 */
#define CPULIST_STRMAX 2048

/* A set of host CPU numbers 0..CPUSET_MAX-1.  Plain value type: copy with =, zero with cpuset_zero(). */
struct cpuset {
	uint64_t bits[CPUSET_MAX / 64];
};

/* Room for one formatted cpulist, so a caller can format sets inline in a message. */
struct cpulist_buf {
	char s[CPULIST_STRMAX];
};

void cpuset_zero(struct cpuset *s);

/* Adds cpu to s; returns 0, or -EINVAL (recording nothing) if cpu >= CPUSET_MAX. */
int cpuset_add(struct cpuset *s, unsigned int cpu);

/* False for cpu >= CPUSET_MAX. */
bool cpuset_has(const struct cpuset *s, unsigned int cpu);

unsigned int cpuset_count(const struct cpuset *s);
bool cpuset_empty(const struct cpuset *s);
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);

/* True if every CPU of sub is in super (the empty set is a subset of anything). */
bool cpuset_is_subset(const struct cpuset *sub, const struct cpuset *super);

/* dst = a & b; dst may alias a or b. */
void cpuset_and(struct cpuset *dst, const struct cpuset *a, const struct cpuset *b);

/* dst = a | b; dst may alias a or b. */
void cpuset_or(struct cpuset *dst, const struct cpuset *a, const struct cpuset *b);

/* Lowest CPU in s, or -1 if s is empty. */
int cpuset_first(const struct cpuset *s);

/* Lowest CPU in s that is >= from, or -1; iterate with for (c = cpuset_first(s); c >= 0; c = cpuset_next(s, c + 1)). */
int cpuset_next(const struct cpuset *s, unsigned int from);

/*
 * Parses a Linux cpulist into *out: comma-separated CPU numbers or inclusive
 * ranges "a-b" (a <= b), all < CPUSET_MAX.  Whitespace (including the
 * trailing newline of a sysfs file) is allowed around numbers and
 * separators; an empty or all-blank string is the empty set.  Rejects
 * anything else ("1-", "3-1", "a", "1,,2", ",1", "1,", "-1", the kernel's
 * "0-7:2/4" stride form) with a one-line message quoting the text, and
 * returns -EINVAL; *out is then left empty.
 */
int cpulist_parse(const char *text, struct cpuset *out, struct err *e);

/*
 * Writes the canonical cpulist of s (ascending, maximal ranges, ranges of two
 * written "a-b" as the kernel does; "" for the empty set) to buf.  Returns the
 * length, or -ENOSPC if it does not fit in size (buf then holds the elements that
 * fit, NUL-terminated).  CPULIST_STRMAX always fits.
 */
int cpulist_format(const struct cpuset *s, char *buf, size_t size);

/* cpulist_format() into b, returning b->s: cpulist_str(&set, &(struct cpulist_buf){0}) in a printf. */
const char *cpulist_str(const struct cpuset *s, struct cpulist_buf *b);

/* Conversions for sched_{get,set}affinity() and pthread_setaffinity_np(). */
void cpuset_to_cpu_set(const struct cpuset *s, cpu_set_t *out);
void cpuset_from_cpu_set(const cpu_set_t *in, struct cpuset *out);

/* The calling thread's CPU affinity (sched_getaffinity(0)); -errno with a message on failure. */
int cpuset_get_affinity(struct cpuset *out, struct err *e);

#endif
