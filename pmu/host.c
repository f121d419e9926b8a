/* host.c: reads the host's perf PMU list from sysfs and keeps the CPU PMUs, skipping broken entries with a warning. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmu/host.h"

/* Large enough for any cpulist of CPUSET_MAX CPUs plus a newline. */
#define ATTR_MAX (CPULIST_STRMAX + 2)

static void add_warning(struct host_pmus *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_warning(struct host_pmus *out, const char *fmt, ...)
{
	va_list ap;

	if (out->nwarn == HOST_WARN_MAX) {
		out->warn_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(out->warn[out->nwarn++], HOST_WARN_LEN, fmt, ap);
	va_end(ap);
}

/*
 * Reads <pmu>/<attr> under the devices directory into buf (NUL-terminated).
 * Returns 0, -errno (-ENOENT when absent), or -EFBIG if it does not fit.
 */
static int read_attr(int devfd, const char *pmu, const char *attr, char *buf, size_t size)
{
	char path[NAME_MAX + 16];
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", pmu, attr);
	fd = openat(devfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		len += (size_t)n;
	}
	if (!ret && len == size - 1)
		ret = -EFBIG;
	close(fd);
	buf[len] = '\0';
	return ret;
}

/* Strict decimal u32 with optional surrounding whitespace ("9\n"); false on anything else. */
static bool parse_type(const char *s, uint32_t *type)
{
	uint64_t v = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (uint64_t)(*s++ - '0');
		if (v > UINT32_MAX)
			return false;
	}
	while (isspace((unsigned char)*s))
		s++;
	*type = (uint32_t)v;
	return *s == '\0';
}

/* Trailing newline dropped, for quoting a file's content in a one-line warning. */
static const char *chomp(char *s)
{
	size_t len = strlen(s);

	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

static int pmu_cmp(const struct host_pmu *a, const struct host_pmu *b)
{
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Inserts pmu keeping pmu[] sorted; when full, the highest type is the one left out. */
static void insert_sorted(struct host_pmus *out, const struct host_pmu *pmu)
{
	unsigned int i = out->count;

	if (i == HOST_PMUS_MAX) {
		const struct host_pmu *last = &out->pmu[HOST_PMUS_MAX - 1];
		const struct host_pmu *dropped = pmu_cmp(pmu, last) < 0 ? last : pmu;

		add_warning(out, "skipped PMU %s: more than %d CPU PMUs", dropped->name, HOST_PMUS_MAX);
		if (dropped == pmu)
			return;
		i--;
	} else {
		out->count++;
	}
	for (; i > 0 && pmu_cmp(pmu, &out->pmu[i - 1]) < 0; i--)
		out->pmu[i] = out->pmu[i - 1];
	out->pmu[i] = *pmu;
}

/* Reads and checks "type"; false (with a warning) if the PMU must be skipped. */
static bool read_type(int devfd, const char *name, struct host_pmus *out, uint32_t *type)
{
	char buf[64];
	int ret = read_attr(devfd, name, "type", buf, sizeof(buf));
	const struct host_pmu *same;

	if (ret == -ENOENT) {
		add_warning(out, "skipped PMU %s: it has a cpus file but no type file", name);
		return false;
	}
	if (ret < 0) {
		add_warning(out, "skipped PMU %s: reading its type: %s", name, strerror(-ret));
		return false;
	}
	if (!parse_type(buf, type)) {
		add_warning(out, "skipped PMU %s: malformed type \"%s\"", name, chomp(buf));
		return false;
	}
	same = host_pmus_find_type(out, *type);
	if (same) {
		add_warning(out, "skipped PMU %s: type %u is already %s's", name, *type, same->name);
		return false;
	}
	return true;
}

/* Classifies one devices/ entry: counts it as non-CPU, skips it with a warning, or records it. */
static void scan_entry(int devfd, const char *name, struct host_pmus *out)
{
	struct host_pmu pmu = { .counters = HOST_PMU_COUNTERS_UNKNOWN };
	struct err perr = { 0 };
	char buf[ATTR_MAX];
	int ret = read_attr(devfd, name, "cpus", buf, sizeof(buf));

	if (ret == -ENOENT) {
		out->non_cpu++;
		return;
	}
	if (ret == -ENOTDIR)	/* a stray file, not a PMU */
		return;
	if (ret < 0) {
		add_warning(out, "skipped PMU %s: reading its cpus: %s", name, strerror(-ret));
		return;
	}
	if (strlen(name) >= sizeof(pmu.name)) {
		add_warning(out, "skipped PMU %.*s...: name longer than %d characters", 32, name,
			    HOST_PMU_NAME_MAX - 1);
		return;
	}
	if (cpulist_parse(buf, &pmu.cpus, &perr)) {
		add_warning(out, "skipped PMU %s: its cpus file: %s", name, perr.msg);
		return;
	}
	if (!read_type(devfd, name, out, &pmu.type))
		return;
	snprintf(pmu.name, sizeof(pmu.name), "%s", name);
	insert_sorted(out, &pmu);
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, not the locale's collation, so the scan order is the same everywhere. */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int host_pmus_discover(const char *sysfs_root, struct host_pmus *out, struct err *e)
{
	struct dirent **names;
	char path[4096];
	int devfd, n;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s", sysfs_root, HOST_PMU_DEVICES_DIR);
	devfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devfd < 0)
		return err_sys(e, errno, "cannot list the host's perf PMUs in %s", path);
	/* Sorted names make the warnings, and which PMU overflows, deterministic. */
	n = scandirat(devfd, ".", &names, not_dot, name_cmp);
	if (n < 0) {
		n = err_sys(e, errno, "cannot list the host's perf PMUs in %s", path);
		close(devfd);
		return n;
	}
	for (int i = 0; i < n; i++) {
		scan_entry(devfd, names[i]->d_name, out);
		free(names[i]);
	}
	free(names);
	close(devfd);
	return 0;
}

const struct host_pmu *host_pmus_find_name(const struct host_pmus *pmus, const char *name)
{
	for (unsigned int i = 0; i < pmus->count; i++)
		if (!strcmp(pmus->pmu[i].name, name))
			return &pmus->pmu[i];
	return NULL;
}

const struct host_pmu *host_pmus_find_type(const struct host_pmus *pmus, uint32_t type)
{
	for (unsigned int i = 0; i < pmus->count; i++)
		if (pmus->pmu[i].type == type)
			return &pmus->pmu[i];
	return NULL;
}
