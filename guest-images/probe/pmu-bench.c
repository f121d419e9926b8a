/* pmu-bench.c: PMU accuracy and cost, as "BENCH: pmu.WHERE.NAME VALUE" lines; the same binary runs in L2 (guest) and L1 (host). */
/*
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o pmu-bench pmu-bench.c
 * usage: pmu-bench guest|host      (WHERE in the figure names; the measurements are the same)
 *
 * Figures (one line each, in this order; a measurement that cannot be made prints a "PMU-BENCH: NAME
 * unavailable: WHY" line instead):
 *   pmu.WHERE.loop_cycles   CPU cycles (user only) of busy(LOOPS), the median of REPEATS runs
 *   pmu.WHERE.samples       overflow samples (PERF_RECORD_SAMPLE, plus LOST) over busy(SAMPLE_LOOPS) with
 *                           period SAMPLE_PERIOD cycles
 *   pmu.WHERE.sample_ratio  samples / (cycles counted by the sampling event / SAMPLE_PERIOD): 1 when every
 *                           overflow interrupt became a sample
 *   pmu.WHERE.read_ns       one read(2) of an enabled cycles counter's fd (kernel reads the counter register)
 *   pmu.WHERE.mrs_ns        one user-space read of a cycles counter through the perf mmap page and an `mrs` of
 *                           PMCCNTR_EL0 (needs /proc/sys/kernel/perf_user_access=1, Linux 5.17+: set here for the
 *                           run when it is 0 and we may, then restored); if that read fails, of a raw INST_RETIRED
 *                           counter (an `mrs` of PMEVCNTR<n>_EL0) instead, with a "PMU-BENCH: mrs_ns: ..." line
 *   pmu.WHERE.open_us       perf_event_open + ENABLE + DISABLE + close of a cycles counter
 * Exit status: 0, or 1 when there is no PMU at all (no cycles counter).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/perf_event.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LOOPS 20000000UL		/* busy-loop iterations counted for loop_cycles */
#define REPEATS 5
#define SAMPLE_LOOPS (4 * LOOPS)
#define SAMPLE_PERIOD 100000
#define RING_PAGES 64			/* sample ring: a power of two, room for every sample of one run */
#define COST_NS 200000000LL		/* each cost loop runs for about this long */
#define USER_ACCESS "/proc/sys/kernel/perf_user_access"

static const char *where;

static void figure(const char *name, double v)
{
	/* Whole numbers (counts) as such, the rest (ratios, times) to 4 decimals. */
	printf("BENCH: pmu.%s.%s %.*f\n", where, name, v >= 1000 || v == (double)(long long)v ? 0 : 4, v);
	fflush(stdout);
}

static void unavailable(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void unavailable(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PMU-BENCH: %s unavailable: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The loop being measured (pmu-probe's): the empty asm with a register operand keeps every iteration. */
static __attribute__((noinline)) void busy(unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++)
		__asm__ volatile("" : "+r"(i));
}

static int perf_open(struct perf_event_attr *attr)
{
	attr->size = sizeof(*attr);
	attr->exclude_kernel = 1;	/* the loop, not interrupts and scheduling */
	attr->exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, attr, 0 /* this task */, -1 /* any CPU */, -1, 0);
}

static int open_cycles(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
	};

	return perf_open(&attr);
}

static uint64_t read_value(int fd)
{
	uint64_t v = 0;

	return read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? v : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void loop_cycles(int fd)
{
	uint64_t v[REPEATS];

	for (int i = 0; i < REPEATS; i++) {
		ioctl(fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		busy(LOOPS);
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		v[i] = read_value(fd);
	}
	qsort(v, REPEATS, sizeof(v[0]), cmp_u64);
	figure("loop_cycles", (double)v[REPEATS / 2]);
}

/* PERF_RECORD_SAMPLE records in the ring, plus the samples PERF_RECORD_LOST records stand for. */
static uint64_t count_samples(struct perf_event_mmap_page *meta, long page)
{
	const char *data = (const char *)meta + page;
	uint64_t size = (uint64_t)RING_PAGES * (uint64_t)page, n = 0;
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);

	for (uint64_t off = meta->data_tail; off < head;) {
		const struct perf_event_header *h = (const void *)(data + off % size);

		if (h->size < sizeof(*h))
			break;
		if (h->type == PERF_RECORD_SAMPLE)
			n++;
		else if (h->type == PERF_RECORD_LOST && off % size + 24 <= size)
			n += ((const uint64_t *)(h + 1))[1];	/* { id, lost } */
		off += h->size;
	}
	return n;
}

static void sampling(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.sample_period = SAMPLE_PERIOD,
		.sample_type = PERF_SAMPLE_IP,
		.disabled = 1,
	};
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)(RING_PAGES + 1) * (size_t)page;
	uint64_t samples, count;
	void *ring;
	int fd = perf_open(&attr);

	if (fd < 0) {
		unavailable("samples", "perf_event_open: %s", strerror(errno));
		return;
	}
	ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		unavailable("samples", "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	busy(SAMPLE_LOOPS);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	count = read_value(fd);
	samples = count_samples(ring, page);
	figure("samples", (double)samples);
	if (count >= SAMPLE_PERIOD)
		figure("sample_ratio", (double)samples / ((double)count / SAMPLE_PERIOD));
	munmap(ring, len);
	close(fd);
}

/* Runs op in batches until COST_NS have passed; the time of one op in ns. */
static double cost_ns(void (*op)(void *), void *arg)
{
	int64_t start = now_ns(), t;
	uint64_t n = 0;

	do {
		for (int i = 0; i < 64; i++)
			op(arg);
		n += 64;
		t = now_ns() - start;
	} while (t < COST_NS);
	return (double)t / (double)n;
}

static void op_read(void *arg)
{
	uint64_t v;

	if (read(*(int *)arg, &v, sizeof(v)) != (ssize_t)sizeof(v))
		abort();
}

static void op_open(void *arg)
{
	int fd = open_cycles();

	(void)arg;
	if (fd < 0)
		abort();
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	close(fd);
}

/* --- user-space counter reads --- */

#define PMEV(n) case n: __asm__ volatile("mrs %0, pmevcntr" #n "_el0" : "=r"(v)); break
/* Counter idx as perf's mmap page numbers it, minus one: 31 is the cycle counter, else PMEVCNTR<idx>_EL0. */
static uint64_t read_pmc(unsigned idx)
{
	uint64_t v = 0;

	switch (idx) {
	case 31: __asm__ volatile("mrs %0, pmccntr_el0" : "=r"(v)); break;
	PMEV(0); PMEV(1); PMEV(2); PMEV(3); PMEV(4); PMEV(5); PMEV(6); PMEV(7);
	PMEV(8); PMEV(9); PMEV(10); PMEV(11); PMEV(12); PMEV(13); PMEV(14); PMEV(15);
	PMEV(16); PMEV(17); PMEV(18); PMEV(19); PMEV(20); PMEV(21); PMEV(22); PMEV(23);
	PMEV(24); PMEV(25); PMEV(26); PMEV(27); PMEV(28); PMEV(29); PMEV(30);
	}
	return v;
}

/* The self-monitoring read of perf_event_open(2), "Self-monitoring": seqlock, index, offset, width. */
static void op_mrs(void *arg)
{
	volatile struct perf_event_mmap_page *pc = arg;
	uint32_t seq, idx;
	uint64_t count;

	do {
		seq = pc->lock;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		idx = pc->index;
		count = (uint64_t)pc->offset;
		if (pc->cap_user_rdpmc && idx) {
			unsigned width = pc->pmc_width;
			int64_t pmc = (int64_t)read_pmc(idx - 1);

			if (width < 64) {
				pmc = (int64_t)((uint64_t)pmc << (64 - width));
				pmc >>= 64 - width;
			}
			count += (uint64_t)pmc;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while (pc->lock != seq);
	__asm__ volatile("" : : "r"(count));
}

static sigjmp_buf sigill_env;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(sigill_env, 1);
}

/* The config1 bit of the CPU PMU's "rdpmc" format (config1:N), 1 if sysfs does not say. */
static uint64_t rdpmc_bit(void)
{
	glob_t g;
	unsigned bit = 1;

	if (glob("/sys/bus/event_source/devices/*/format/rdpmc", 0, NULL, &g) == 0) {
		FILE *f = fopen(g.gl_pathv[0], "r");

		if (!f || fscanf(f, "config1:%u", &bit) != 1 || bit > 63)
			bit = 1;
		if (f)
			fclose(f);
		globfree(&g);
	}
	return 1ULL << bit;
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_int(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%d\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * The cost of user-space reads of the event (type, config) opened with config1's rdpmc bit, in *ns; 0, or -1 with
 * why filled in.
 */
static int user_read_cost(uint32_t type, uint64_t config, double *ns, char *why, size_t len)
{
	struct perf_event_attr attr = { .type = type, .config = config, .config1 = rdpmc_bit() };
	struct sigaction sa = { .sa_handler = on_sigill }, old;
	long page = sysconf(_SC_PAGESIZE);
	volatile struct perf_event_mmap_page *pc;
	int fd = perf_open(&attr), ret = -1;
	void *map;

	if (fd < 0) {
		snprintf(why, len, "perf_event_open with config1 rdpmc: %s", strerror(errno));
		return -1;
	}
	map = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		close(fd);
		return -1;
	}
	pc = map;
	busy(1000);
	if (!pc->cap_user_rdpmc || !pc->index) {
		snprintf(why, len, "the kernel does not offer the counter (cap_user_rdpmc=%u index=%u)",
			 (unsigned)pc->cap_user_rdpmc, (unsigned)pc->index);
	} else {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGILL, &sa, &old);
		if (sigsetjmp(sigill_env, 1)) {
			snprintf(why, len, "mrs of %s raised SIGILL", pc->index == 32 ? "PMCCNTR_EL0" : "PMEVCNTR<n>_EL0");
		} else {
			*ns = cost_ns(op_mrs, (void *)pc);
			ret = 0;
		}
		sigaction(SIGILL, &old, NULL);
	}
	munmap(map, (size_t)page);
	close(fd);
	return ret;
}

/* mrs_ns: the cycle counter's user-space read or, if that fails, an event counter's (raw INST_RETIRED's). */
static void user_read(void)
{
	int before = read_int(USER_ACCESS);
	char why[160], why2[160];
	double ns;

	if (before < 0) {
		unavailable("mrs_ns", "no %s (kernel before 5.17?)", USER_ACCESS);
		return;
	}
	if (before == 0 && write_int(USER_ACCESS, 1)) {
		unavailable("mrs_ns", "perf_user_access is 0 and cannot be set: %s", strerror(errno));
		return;
	}
	if (user_read_cost(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, &ns, why, sizeof(why)) == 0) {
		figure("mrs_ns", ns);
	} else if (user_read_cost(PERF_TYPE_RAW, 0x08 /* INST_RETIRED */, &ns, why2, sizeof(why2)) == 0) {
		printf("PMU-BENCH: mrs_ns: cycle counter: %s; measured on an event counter instead\n", why);
		figure("mrs_ns", ns);
	} else {
		unavailable("mrs_ns", "cycle counter: %s; event counter: %s", why, why2);
	}
	if (before == 0)
		write_int(USER_ACCESS, 0);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2 || (strcmp(argv[1], "guest") && strcmp(argv[1], "host"))) {
		fprintf(stderr, "usage: pmu-bench guest|host\n");
		return 2;
	}
	where = argv[1];
	fd = open_cycles();
	if (fd < 0) {
		printf("PMU-BENCH: no cycles counter: %s\n", strerror(errno));
		return 1;
	}
	loop_cycles(fd);
	sampling();
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	figure("read_ns", cost_ns(op_read, &fd));
	close(fd);
	user_read();
	figure("open_us", cost_ns(op_open, NULL) / 1000);
	return 0;
}
