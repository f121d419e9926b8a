/* pmu-probe.c: run inside an lkvm guest, reports on stdout what its PMU does, as "PMU-PROBE: ..." lines the boot tests grep. */
/*
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o pmu-probe pmu-probe.c
 *
 * Lines, in this order (each flushed at once, so a hang shows how far it got):
 *   PMU-PROBE: start
 *   PMU-PROBE: pmus NAME:TYPE[:cpu] ...    every perf PMU in sysfs, by type; ":cpu" marks a CPU PMU (has "cpus")
 *   PMU-PROBE: cpu-pmus N
 *   PMU-PROBE: no-pmu errno=E (text)       perf cannot count cycles: no guest PMU; then "done", exit 0
 *   PMU-PROBE: counters N                  general-purpose counters usable at once (method below)
 *   PMU-PROBE: cycle-counter yes|no        a cycles event still fits with all of them busy (PMCCNTR_EL0)
 *   PMU-PROBE: event NAME listed=yes|no count=N   for inst_retired and cpu_cycles: in some PMU's sysfs events/
 *                                          (the kernel builds that list from PMCEID, which KVM's event filter
 *                                          masks), and the raw event's count over a small loop
 *   PMU-PROBE: cycles small=X large=Y ratio=R
 *   PMU-PROBE: cycles-scale ok|FAIL        ok when small > 0 and large > 2 * small (the loop is 4x longer)
 *   PMU-PROBE: instructions small=X large=Y ratio=R | instructions unsupported errno=E (text)
 *   PMU-PROBE: samples N lost L irqs-before A irqs-after B   (A, B = -1 if no "arm-pmu" line in /proc/interrupts)
 *   PMU-PROBE: overflow ok|FAIL            ok when N > 0 and B > A: overflow interrupts reached the guest
 *   PMU-PROBE: done
 * Exit status: 0, or 1 if a verdict line says FAIL.
 *
 * Counter count: reading PMCR_EL0.N from EL0 traps unless the kernel opens
 * PMUSERENR_EL0, so the probe asks perf instead.  It opens up to
 * MAX_COUNTERS pinned, enabled, non-group raw INST_RETIRED (0x08) events on
 * itself; raw events other than CPU_CYCLES (0x11) can only go on
 * general-purpose counters.  Pinned events are never multiplexed: one that
 * finds no free counter goes into error state and never runs.  After a short
 * loop, the events with time_running == time_enabled > 0 are those that got
 * a counter, and their number is the guest's usable counter count.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SMALL_LOOPS 2000000UL		/* busy-loop iterations of the small run; the large run does 4x */
#define REPEATS 3			/* each run is repeated; the minimum counts (least disturbed) */
#define MAX_COUNTERS 32			/* PMUv3 has at most 31 general-purpose counters */
#define SAMPLE_PERIOD 100000		/* cycles between overflow interrupts */
#define SAMPLE_LOOPS (8 * SMALL_LOOPS)
#define RING_PAGES 16			/* data pages of the sample ring buffer (a power of two) */
#define MAX_PMUS 128
#define PMU_DIR "/sys/bus/event_source/devices"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("PMU-PROBE: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The loop being measured: the empty asm with a register operand keeps every iteration. */
static __attribute__((noinline)) void busy(unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++)
		__asm__ volatile("" : "+r"(i));
}

static int perf_open(struct perf_event_attr *attr)
{
	attr->size = sizeof(*attr);
	attr->exclude_kernel = 1;	/* count the loop, not interrupts and scheduling */
	attr->exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, attr, 0 /* this task */, -1 /* any CPU */, -1, 0);
}

/* --- sysfs PMU list --- */

struct pmu_entry {
	char name[256];
	unsigned long type;
	int cpu;		/* has a "cpus" file: a CPU PMU (arm_pmu) */
};

static int by_type(const void *a, const void *b)
{
	const struct pmu_entry *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Fills e from PMU_DIR/name; 0 if it has a readable type. */
static int read_pmu(const char *name, struct pmu_entry *e)
{
	char path[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s/type", PMU_DIR, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", &e->type) == 1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s/cpus", PMU_DIR, name);
	e->cpu = access(path, F_OK) == 0;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return ok ? 0 : -1;
}

static void report_pmus(void)
{
	struct pmu_entry pmus[MAX_PMUS];
	char line[4096] = "";
	size_t n = 0, len = 0;
	int cpu_pmus = 0;
	struct dirent *d;
	DIR *dir = opendir(PMU_DIR);

	while (dir && n < MAX_PMUS && (d = readdir(dir)))
		if (d->d_name[0] != '.' && read_pmu(d->d_name, &pmus[n]) == 0)
			n++;
	if (dir)
		closedir(dir);
	qsort(pmus, n, sizeof(pmus[0]), by_type);
	for (size_t i = 0; i < n && len < sizeof(line); i++) {
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s:%lu%s", pmus[i].name,
					pmus[i].type, pmus[i].cpu ? ":cpu" : "");
		cpu_pmus += pmus[i].cpu;
	}
	say("pmus%s", n ? line : " none");
	say("cpu-pmus %d", cpu_pmus);
}

/* --- counting --- */

struct reading {
	uint64_t value, enabled, running;
};

/* Reads value and times; 0 bytes means a pinned event in error state (it never got a counter). */
static int read_counter(int fd, struct reading *r)
{
	memset(r, 0, sizeof(*r));
	return read(fd, r, sizeof(*r)) == (ssize_t)sizeof(*r) ? 0 : -1;
}

static int open_counter(uint32_t type, uint64_t config, int pinned)
{
	struct perf_event_attr attr = {
		.type = type,
		.config = config,
		.pinned = (unsigned)pinned,
		.disabled = (unsigned)!pinned,
		.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING,
	};

	return perf_open(&attr);
}

static int scheduled(int fd)
{
	struct reading r;

	return read_counter(fd, &r) == 0 && r.enabled > 0 && r.running == r.enabled;
}

/* See the file comment: pinned raw non-cycle events, counted while they all run. */
static void report_counters(void)
{
	int fds[MAX_COUNTERS + 1], n = 0, counters = 0, cycle_fd;

	for (; n < MAX_COUNTERS; n++) {
		fds[n] = open_counter(PERF_TYPE_RAW, 0x08 /* INST_RETIRED */, 1);
		if (fds[n] < 0)
			break;
	}
	cycle_fd = open_counter(PERF_TYPE_RAW, 0x11 /* CPU_CYCLES */, 1);
	busy(SMALL_LOOPS / 10);
	for (int i = 0; i < n; i++)
		counters += scheduled(fds[i]);
	say("counters %d", counters);
	say("cycle-counter %s", cycle_fd >= 0 && scheduled(cycle_fd) ? "yes" : "no");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (cycle_fd >= 0)
		close(cycle_fd);
}

/* Whether any PMU in sysfs lists the named event. */
static int event_listed(const char *name)
{
	char path[512];
	struct dirent *d;
	DIR *dir = opendir(PMU_DIR);
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PMU_DIR "/%s/events/%s", d->d_name, name);
		found = access(path, F_OK) == 0;
	}
	closedir(dir);
	return found;
}

/* Raw events bypass the kernel's PMCEID check, so a filtered event still opens and shows KVM counting 0. */
static void report_events(void)
{
	static const struct { const char *name; uint64_t raw; } events[] = {
		{ "inst_retired", 0x08 },
		{ "cpu_cycles", 0x11 },
	};
	struct reading r;

	for (unsigned i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		int fd = open_counter(PERF_TYPE_RAW, events[i].raw, 0);

		memset(&r, 0, sizeof(r));
		if (fd >= 0) {
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
			busy(SMALL_LOOPS);
			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
			read_counter(fd, &r);
			close(fd);
		}
		say("event %s listed=%s count=%llu", events[i].name, event_listed(events[i].name) ? "yes" : "no",
		    (unsigned long long)r.value);
	}
}

/* Counts one run of busy(loops) on fd, REPEATS times; the smallest value. */
static uint64_t measure(int fd, unsigned long loops)
{
	uint64_t best = UINT64_MAX;
	struct reading r;

	for (int i = 0; i < REPEATS; i++) {
		ioctl(fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		busy(loops);
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read_counter(fd, &r) == 0 && r.value < best)
			best = r.value;
	}
	return best == UINT64_MAX ? 0 : best;
}

/* Measures small and 4x runs with fd; returns the scale verdict (small > 0, large > 2 * small). */
static int report_scaling(const char *what, int fd)
{
	uint64_t small = measure(fd, SMALL_LOOPS), large = measure(fd, 4 * SMALL_LOOPS);

	say("%s small=%llu large=%llu ratio=%.2f", what, (unsigned long long)small,
	    (unsigned long long)large, small ? (double)large / (double)small : 0.0);
	return small > 0 && large > 2 * small;
}

/* --- sampling and overflow interrupts --- */

/* Sum over CPUs of the /proc/interrupts line naming "arm-pmu", or -1 if there is none. */
static long long pmu_irqs(void)
{
	char line[1024];
	long long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && total < 0 && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;

		if (!p || !strstr(line, "arm-pmu"))
			continue;
		total = 0;
		/* "NN:  c0  c1 ... GICv3 23 Level arm-pmu": add numbers up to the first word. */
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			total += v;
		}
	}
	if (f)
		fclose(f);
	return total;
}

/* Counts PERF_RECORD_SAMPLE records (and the samples LOST records stand for) in the ring. */
static void count_records(struct perf_event_mmap_page *meta, long page, uint64_t *samples,
			  uint64_t *lost)
{
	const char *data = (const char *)meta + page;
	uint64_t size = (uint64_t)RING_PAGES * (uint64_t)page;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);

	*samples = *lost = 0;
	/* Records are 8-byte aligned and the ring a power of two, so a header never wraps. */
	for (uint64_t off = meta->data_tail; off < head;) {
		const struct perf_event_header *h = (const void *)(data + off % size);

		if (h->size < sizeof(*h))
			break;
		if (h->type == PERF_RECORD_SAMPLE)
			(*samples)++;
		else if (h->type == PERF_RECORD_LOST && off % size + 24 <= size)
			*lost += ((const uint64_t *)(h + 1))[1];	/* { id, lost } */
		off += h->size;
	}
}

/* Samples cycles over a loop; the verdict: samples arrived and the PMU interrupt count rose. */
static int report_overflow(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.sample_period = SAMPLE_PERIOD,
		.sample_type = PERF_SAMPLE_IP,
		.disabled = 1,
		.wakeup_events = 1,
	};
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)(RING_PAGES + 1) * (size_t)page;
	long long before, after;
	uint64_t samples, lost;
	void *ring;
	int fd = perf_open(&attr);

	if (fd < 0) {
		say("samples unsupported errno=%d (%s)", errno, strerror(errno));
		return 0;
	}
	ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		say("samples unsupported mmap errno=%d (%s)", errno, strerror(errno));
		close(fd);
		return 0;
	}
	before = pmu_irqs();
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	busy(SAMPLE_LOOPS);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	after = pmu_irqs();
	count_records(ring, page, &samples, &lost);
	say("samples %llu lost %llu irqs-before %lld irqs-after %lld", (unsigned long long)samples,
	    (unsigned long long)lost, before, after);
	munmap(ring, len);
	close(fd);
	return samples > 0 && after > before;
}

static int verdict(const char *what, int ok)
{
	say("%s %s", what, ok ? "ok" : "FAIL");
	return ok;
}

int main(void)
{
	int cycles, instructions, failed = 0;

	say("start");
	report_pmus();
	cycles = open_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0);
	if (cycles < 0) {
		say("no-pmu errno=%d (%s)", errno, strerror(errno));
		say("done");
		return 0;
	}
	report_counters();
	report_events();
	failed |= !verdict("cycles-scale", report_scaling("cycles", cycles));
	close(cycles);
	instructions = open_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0);
	if (instructions < 0) {
		say("instructions unsupported errno=%d (%s)", errno, strerror(errno));
	} else {
		report_scaling("instructions", instructions);
		close(instructions);
	}
	failed |= !verdict("overflow", report_overflow());
	say("done");
	return failed;
}
