/* cpulist.c: CPU set operations and strict parsing/formatting of the Linux cpulist text form. */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "pmu/cpulist.h"

#define WORDS (CPUSET_MAX / 64)

void cpuset_zero(struct cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

int cpuset_add(struct cpuset *s, unsigned int cpu)
{
	if (cpu >= CPUSET_MAX)
		return -EINVAL;
	s->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
	return 0;
}

bool cpuset_has(const struct cpuset *s, unsigned int cpu)
{
	return cpu < CPUSET_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned int cpuset_count(const struct cpuset *s)
{
	unsigned int n = 0;

	for (size_t i = 0; i < WORDS; i++)
		n += (unsigned int)__builtin_popcountll(s->bits[i]);
	return n;
}

bool cpuset_empty(const struct cpuset *s)
{
	return cpuset_first(s) < 0;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

bool cpuset_is_subset(const struct cpuset *sub, const struct cpuset *super)
{
	for (size_t i = 0; i < WORDS; i++)
		if (sub->bits[i] & ~super->bits[i])
			return false;
	return true;
}

void cpuset_and(struct cpuset *dst, const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < WORDS; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}

void cpuset_or(struct cpuset *dst, const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < WORDS; i++)
		dst->bits[i] = a->bits[i] | b->bits[i];
}

int cpuset_next(const struct cpuset *s, unsigned int from)
{
	for (unsigned int w = from / 64; w < WORDS; w++) {
		uint64_t bits = s->bits[w];

		/* In the first word, drop the CPUs below from. */
		if (w == from / 64)
			bits &= ~UINT64_C(0) << (from % 64);
		if (bits)
			return (int)(w * 64 + (unsigned int)__builtin_ctzll(bits));
	}
	return -1;
}

int cpuset_first(const struct cpuset *s)
{
	return cpuset_next(s, 0);
}

/* Parsing: a tiny cursor over the text so each error can say where it is. */
struct cursor {
	const char *p;
	char shown[72];		/* the input made safe for a one-line message */
};

/* Copies text for quoting: trailing blanks dropped, control bytes as '?', long input cut with "...". */
static void cursor_init(struct cursor *c, const char *text)
{
	size_t len = strlen(text), n = 0;

	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	for (size_t i = 0; i < len && n < sizeof(c->shown) - 4; i++)
		c->shown[n++] = isprint((unsigned char)text[i]) ? text[i] : '?';
	if (n < len)
		n += (size_t)snprintf(c->shown + n, sizeof(c->shown) - n, "...");
	c->shown[n] = '\0';
	c->p = text;
}

/* Names the character at p for a message: 'x', "the end", or its byte value. */
static const char *found(const char *p, char *buf, size_t size)
{
	if (!*p)
		snprintf(buf, size, "the end");
	else if (isprint((unsigned char)*p))
		snprintf(buf, size, "'%c'", *p);
	else
		snprintf(buf, size, "byte 0x%02x", (unsigned char)*p);
	return buf;
}

static void skip_blanks(struct cursor *c)
{
	while (isspace((unsigned char)*c->p))
		c->p++;
}

/*
 * Reads one CPU number at the cursor: decimal digits only (no sign, no
 * base prefix, unlike strtoul), value below CPUSET_MAX.
 */
static int parse_cpu(struct cursor *c, const char *after, unsigned int *cpu, struct err *e)
{
	unsigned long v = 0;
	char what[16];

	skip_blanks(c);
	if (!isdigit((unsigned char)*c->p))
		return err_set(e, EINVAL, "invalid CPU list \"%s\": expected a CPU number %s, found %s",
			       c->shown, after, found(c->p, what, sizeof(what)));
	while (isdigit((unsigned char)*c->p)) {
		v = v * 10 + (unsigned long)(*c->p++ - '0');
		if (v >= CPUSET_MAX)
			return err_set(e, EINVAL, "invalid CPU list \"%s\": CPU numbers must be below %d",
				       c->shown, CPUSET_MAX);
	}
	*cpu = (unsigned int)v;
	skip_blanks(c);
	return 0;
}

/* One element: "N" or "A-B"; adds it to out. */
static int parse_element(struct cursor *c, const char *after, struct cpuset *out, struct err *e)
{
	unsigned int lo, hi;
	int ret = parse_cpu(c, after, &lo, e);

	if (ret)
		return ret;
	hi = lo;
	if (*c->p == '-') {
		c->p++;
		ret = parse_cpu(c, "after '-'", &hi, e);
		if (ret)
			return ret;
		if (hi < lo)
			return err_set(e, EINVAL, "invalid CPU list \"%s\": range %u-%u is reversed",
				       c->shown, lo, hi);
	}
	for (unsigned int cpu = lo; cpu <= hi; cpu++)
		cpuset_add(out, cpu);
	return 0;
}

static int parse_elements(struct cursor *c, struct cpuset *out, struct err *e)
{
	const char *after = "at the start";
	char what[16];
	int ret;

	skip_blanks(c);
	if (!*c->p)
		return 0;
	for (;;) {
		ret = parse_element(c, after, out, e);
		if (ret)
			return ret;
		if (!*c->p)
			return 0;
		if (*c->p != ',')
			return err_set(e, EINVAL, "invalid CPU list \"%s\": unexpected %s after a CPU number",
				       c->shown, found(c->p, what, sizeof(what)));
		c->p++;
		after = "after ','";
	}
}

int cpulist_parse(const char *text, struct cpuset *out, struct err *e)
{
	struct cursor c;
	int ret;

	cursor_init(&c, text);
	cpuset_zero(out);
	ret = parse_elements(&c, out, e);
	if (ret)
		cpuset_zero(out);
	return ret;
}

/* Appends "lo" or "lo-hi" (with a leading comma unless first) at buf+*len; false if it did not fit. */
static bool append_range(char *buf, size_t size, size_t *len, int lo, int hi)
{
	const char *sep = *len ? "," : "";
	int n;

	if (lo == hi)
		n = snprintf(buf + *len, size - *len, "%s%d", sep, lo);
	else
		n = snprintf(buf + *len, size - *len, "%s%d-%d", sep, lo, hi);
	if (n < 0 || (size_t)n >= size - *len) {
		buf[*len] = '\0';	/* keep only whole elements */
		return false;
	}
	*len += (size_t)n;
	return true;
}

int cpulist_format(const struct cpuset *s, char *buf, size_t size)
{
	size_t len = 0;
	int lo = cpuset_first(s);

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	while (lo >= 0) {
		int hi = lo;

		while (hi + 1 < CPUSET_MAX && cpuset_has(s, (unsigned int)hi + 1))
			hi++;
		if (!append_range(buf, size, &len, lo, hi))
			return -ENOSPC;
		lo = cpuset_next(s, (unsigned int)hi + 1);
	}
	return (int)len;
}

const char *cpulist_str(const struct cpuset *s, struct cpulist_buf *b)
{
	cpulist_format(s, b->s, sizeof(b->s));
	return b->s;
}

void cpuset_to_cpu_set(const struct cpuset *s, cpu_set_t *out)
{
	CPU_ZERO(out);
	for (int cpu = cpuset_first(s); cpu >= 0; cpu = cpuset_next(s, (unsigned int)cpu + 1))
		CPU_SET(cpu, out);
}

void cpuset_from_cpu_set(const cpu_set_t *in, struct cpuset *out)
{
	cpuset_zero(out);
	for (unsigned int cpu = 0; cpu < CPUSET_MAX && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, in))
			cpuset_add(out, cpu);
}

int cpuset_get_affinity(struct cpuset *out, struct err *e)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		cpuset_zero(out);
		return err_sys(e, errno, "sched_getaffinity");
	}
	cpuset_from_cpu_set(&set, out);
	return 0;
}
