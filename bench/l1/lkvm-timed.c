/* lkvm-timed.c: runs a command (lkvm) in L1 and time-stamps its output: first byte, marker lines, vcpu0, exit; samples its memory. */
/*
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o lkvm-timed lkvm-timed.c
 *
 * usage: lkvm-timed [-o FILE] [-m TEXT]... [-d PREFIX]... [-s TEXT] [-S MS] [-M MIB] -- PROGRAM [ARG...]
 *
 *   -o FILE    copy PROGRAM's stdout and stderr (both pipes, CRs kept) to FILE, as they arrive
 *   -m TEXT    report when the first stdout line containing TEXT arrived (up to 8 markers, in order)
 *   -d PREFIX  lines starting with PREFIX are counted, not copied (console payload; up to 4 prefixes)
 *   -s TEXT    MS ms (-S, default 1000) after the first stdout line containing TEXT, sample PROGRAM's memory
 *   -M MIB     the guest RAM size: the anonymous mapping of exactly MIB MiB is guest RAM, the rest lkvm's own
 *
 * All times are microseconds of CLOCK_MONOTONIC since the child's execve() (taken in the child just before it).
 * Output, on stdout, once PROGRAM has exited:
 *   LT exec_mono_us=T0 first_out_us=F mark1_us=.. markN_us=.. vcpu0_us=V kvm_run_us=K end_us=E out_bytes=B status=S
 *   LT drop N prefix=P bytes=B lines=L first_us=.. last_us=..           for each -d
 *   LT mem vmrss_kb=.. guest_rss_kb=.. own_rss_kb=.. own_anon_kb=.. own_pss_kb=.. threads=..   with -s, if sampled
 * A time that never happened is -1; out_bytes counts all of stdout, dropped lines too; status is the exit status,
 * or 128+N for death by signal N.
 *   vcpu0_us   when a thread of PROGRAM named "vcpu0" was first seen (/proc/PID/task/ polled every POLL_US until
 *              then): an upper bound of the first KVM_RUN, which vcpu0 enters right after naming itself
 *   kvm_run_us from lkvm's --debug line "vcpu 0: first KVM_RUN at +N us (CLOCK_MONOTONIC T us)" (vmm/vcpu.c),
 *              the first one: T - T0 if it has T, else N (then relative to lkvm's start, not its exec)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MARKS 8
#define MAX_DROPS 4
#define POLL_US 1000		/* vcpu0 thread polling period */
#define LINE_MAX_LEN 4096	/* longer lines are cut: only their first LINE_MAX_LEN bytes are matched */
#define TRACE_TEXT "vcpu 0: first KVM_RUN at +"

struct stream {
	int fd;
	char line[LINE_MAX_LEN];
	size_t len;
	int decided;		/* whether the current line's -d prefix (or none) is known; until then it is held */
	int dropping;		/* index + 1 of the -d prefix of the current line, 0 if none */
	int is_stdout;
};

struct drop {
	const char *prefix;
	uint64_t bytes, lines;
	int64_t first, last;
};

static const char *marks[MAX_MARKS];
static int64_t mark_us[MAX_MARKS];
static int nr_marks;
static struct drop drops[MAX_DROPS];
static int nr_drops;
static size_t max_prefix;	/* the longest -d prefix */
static const char *sample_text;
static int64_t sample_at = -1;	/* when to sample (us), once the -s line came */
static long settle_ms = 1000;
static unsigned long long guest_mib;
static int64_t t0, first_out = -1, vcpu0 = -1, kvm_run = -1;
static uint64_t out_bytes;	/* everything PROGRAM wrote to stdout, dropped lines included */
static FILE *copy;
static char mem_line[512];

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(void)
{
	fprintf(stderr, "usage: lkvm-timed [-o FILE] [-m TEXT]... [-d PREFIX]... [-s TEXT] [-S MS] [-M MIB] "
		"-- PROGRAM [ARG...]\n");
	exit(2);
}

/* The --debug trace line: "+N us (CLOCK_MONOTONIC T us)" after TRACE_TEXT. */
static void parse_trace(const char *line)
{
	const char *p = strstr(line, TRACE_TEXT), *q;

	if (!p || kvm_run >= 0)
		return;
	q = strstr(p, "CLOCK_MONOTONIC ");
	if (q)
		kvm_run = strtoll(q + strlen("CLOCK_MONOTONIC "), NULL, 10) - t0;
	else
		kvm_run = strtoll(p + strlen(TRACE_TEXT), NULL, 10);
}

/* A whole line (or the first LINE_MAX_LEN bytes of one) has arrived at time t. */
static void line_done(struct stream *s, int64_t t)
{
	s->line[s->len < LINE_MAX_LEN ? s->len : LINE_MAX_LEN - 1] = '\0';
	parse_trace(s->line);
	if (!s->is_stdout)
		return;
	for (int i = 0; i < nr_marks; i++)
		if (mark_us[i] < 0 && strstr(s->line, marks[i]))
			mark_us[i] = t;
	if (sample_text && sample_at < 0 && strstr(s->line, sample_text))
		sample_at = t + settle_ms * 1000;
}

/* The -d prefix the line starting with p[0..n) has (index + 1), 0 if none. */
static int drop_index(const char *p, size_t n)
{
	for (int i = 0; i < nr_drops; i++) {
		size_t pl = strlen(drops[i].prefix);

		if (n >= pl && !memcmp(p, drops[i].prefix, pl))
			return i + 1;
	}
	return 0;
}

static void count_drop(struct drop *d, size_t n, int64_t t)
{
	d->bytes += n;
	if (d->first < 0)
		d->first = t;
	d->last = t;
}

/*
 * Feeds n bytes that arrived at time t through line assembly, the copy and the drop counters.  A line's first
 * bytes are held until there are enough of them (or its newline) to tell whether it starts with a -d prefix:
 * lkvm's 16550 writes the console a byte at a time.
 */
static void consume(struct stream *s, const char *buf, size_t n, int64_t t)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t seg = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;
		size_t held = s->len, room = LINE_MAX_LEN - 1 - s->len, take = seg < room ? seg : room;

		memcpy(s->line + s->len, buf + i, take);
		s->len += take;
		if (!s->decided && (nl || s->len >= max_prefix || take < seg)) {
			s->decided = 1;
			s->dropping = s->is_stdout ? drop_index(s->line, s->len) : 0;
			if (s->dropping)
				count_drop(&drops[s->dropping - 1], held + seg, t);
			else if (copy)
				fwrite(s->line, 1, held, copy), fwrite(buf + i, 1, seg, copy);
		} else if (s->decided) {
			if (s->dropping)
				count_drop(&drops[s->dropping - 1], seg, t);
			else if (copy)
				fwrite(buf + i, 1, seg, copy);
		}
		if (nl) {
			if (s->dropping)
				drops[s->dropping - 1].lines++;
			else
				line_done(s, t);
			s->len = 0;
			s->decided = 0;
			s->dropping = 0;
		}
		i += seg;
	}
}

/* Returns 1 once the stream is at EOF. */
static int pump(struct stream *s)
{
	char buf[65536];
	ssize_t n = read(s->fd, buf, sizeof(buf));
	int64_t t = now_us() - t0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		if (s->len && !s->decided && copy)
			fwrite(s->line, 1, s->len, copy);
		if (s->len && !s->dropping)
			line_done(s, t);
		return 1;
	}
	if (s->is_stdout && first_out < 0)
		first_out = t;
	if (s->is_stdout)
		out_bytes += (uint64_t)n;
	consume(s, buf, (size_t)n, t);
	return 0;
}

/* Whether PROGRAM has a thread named vcpu0. */
static int has_vcpu0(pid_t pid)
{
	char path[64], comm[32];
	struct dirent *d;
	DIR *dir;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && !found && (d = readdir(dir))) {
		int fd;
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", (int)pid, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (n > 0) {
			comm[n] = '\0';
			found = !strcmp(comm, "vcpu0\n");
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

/* Reads "Key:  N kB" from /proc/PID/status. */
static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

/*
 * Sums Rss, Pss and Anonymous over /proc/PID/smaps, apart from guest RAM: the first unnamed mapping of exactly
 * guest_mib MiB (-M), whose Rss is reported alone (-1 without -M or if there is none).
 */
static void sample_memory(pid_t pid)
{
	char path[64], line[512];
	long size = 0, rss = 0, pss = 0, anon = 0, guest_rss = -1, own_rss = 0, own_pss = 0, own_anon = 0;
	int named = 0, have = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	for (;;) {
		char *got = fgets(line, sizeof(line), f);
		unsigned long lo, hi;
		char name[256] = "";

		/* A mapping's header line "LO-HI PERMS OFFSET DEV INODE [NAME]" (or EOF) closes the previous one. */
		if (!got || sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi, name) >= 2) {
			if (have && !named && guest_mib && guest_rss < 0 &&
			    (unsigned long long)size == guest_mib * 1024) {
				guest_rss = rss;
			} else if (have) {
				own_rss += rss;
				own_pss += pss;
				own_anon += anon;
			}
			if (!got)
				break;
			have = 1;
			named = name[0] != '\0';
			size = rss = pss = anon = 0;
			continue;
		}
		sscanf(line, "Size: %ld", &size);
		sscanf(line, "Rss: %ld", &rss);
		sscanf(line, "Pss: %ld", &pss);
		sscanf(line, "Anonymous: %ld", &anon);
	}
	fclose(f);
	snprintf(mem_line, sizeof(mem_line),
		 "LT mem vmrss_kb=%ld guest_rss_kb=%ld own_rss_kb=%ld own_anon_kb=%ld own_pss_kb=%ld threads=%ld",
		 status_field(pid, "VmRSS"), guest_rss, own_rss, own_anon, own_pss, status_field(pid, "Threads"));
}

static void print_us(const char *name, int64_t v)
{
	printf(" %s=%lld", name, (long long)v);
}

int main(int argc, char **argv)
{
	struct stream out = { .is_stdout = 1 }, err = { 0 };
	int po[2], pe[2], opt, status = 0, open_streams = 2;
	volatile int64_t *shared;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+o:m:d:s:S:M:")) != -1) {
		switch (opt) {
		case 'o':
			copy = fopen(optarg, "w");
			if (!copy) {
				perror(optarg);
				return 2;
			}
			break;
		case 'm':
			if (nr_marks == MAX_MARKS)
				usage();
			mark_us[nr_marks] = -1;
			marks[nr_marks++] = optarg;
			break;
		case 'd':
			if (nr_drops == MAX_DROPS)
				usage();
			drops[nr_drops++] = (struct drop){ .prefix = optarg, .first = -1, .last = -1 };
			if (strlen(optarg) > max_prefix)
				max_prefix = strlen(optarg);
			break;
		case 's': sample_text = optarg; break;
		case 'S': settle_ms = strtol(optarg, NULL, 10); break;
		case 'M': guest_mib = strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || pipe(po) || pipe(pe)) {
		perror("lkvm-timed: setup");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		perror("lkvm-timed: fork");
		return 2;
	}
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		*shared = now_us();
		execvp(argv[optind], argv + optind);
		dprintf(STDERR_FILENO, "lkvm-timed: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	out.fd = po[0];
	err.fd = pe[0];
	/* The child writes T0 before its exec; wait for it, briefly. */
	while (!*shared)
		usleep(100);
	t0 = *shared;

	while (open_streams) {
		struct pollfd pfd[2] = { { .fd = out.fd, .events = POLLIN }, { .fd = err.fd, .events = POLLIN } };
		int64_t now = now_us() - t0, timeout_ms = -1;

		if (vcpu0 < 0 && now < 30000000)
			timeout_ms = POLL_US / 1000;
		if (sample_at >= 0 && !mem_line[0]) {
			int64_t left = sample_at > now ? (sample_at - now) / 1000 + 1 : 0;

			if (timeout_ms < 0 || left < timeout_ms)
				timeout_ms = left;
		}
		if (poll(pfd, 2, (int)timeout_ms) < 0 && errno != EINTR) {
			perror("lkvm-timed: poll");
			break;
		}
		if (vcpu0 < 0 && has_vcpu0(pid))
			vcpu0 = now_us() - t0;
		if (sample_at >= 0 && !mem_line[0] && now_us() - t0 >= sample_at)
			sample_memory(pid);
		for (int i = 0; i < 2; i++) {
			struct stream *s = i ? &err : &out;

			if (s->fd >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) && pump(s)) {
				close(s->fd);
				s->fd = -1;
				open_streams--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (copy)
		fclose(copy);
	printf("LT exec_mono_us=%lld", (long long)t0);
	print_us("first_out_us", first_out);
	for (int i = 0; i < nr_marks; i++) {
		char name[16];

		snprintf(name, sizeof(name), "mark%d_us", i + 1);
		print_us(name, mark_us[i]);
	}
	print_us("vcpu0_us", vcpu0);
	print_us("kvm_run_us", kvm_run);
	print_us("end_us", now_us() - t0);
	printf(" out_bytes=%llu", (unsigned long long)out_bytes);
	printf(" status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	for (int i = 0; i < nr_drops; i++)
		printf("LT drop %d prefix=%s bytes=%llu lines=%llu first_us=%lld last_us=%lld\n", i + 1,
		       drops[i].prefix, (unsigned long long)drops[i].bytes, (unsigned long long)drops[i].lines,
		       (long long)drops[i].first, (long long)drops[i].last);
	if (mem_line[0])
		printf("%s\n", mem_line);
	return 0;
}
