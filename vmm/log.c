/* log.c: leveled diagnostics on stderr; each call writes one whole line with a single write(2). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "vmm/log.h"

static enum log_level max_level = LOG_NOTICE;

uint64_t log_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

static void vlog(enum log_level level, const char *tag, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(enum log_level level, const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level > max_level)
		return;
	n = snprintf(line, sizeof(line), "  %s: ", tag);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line so lines from vcpu threads never interleave. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

#define DEFINE_LOG(fn, level, tag)			\
	void fn(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		vlog(level, tag, fmt, ap);		\
		va_end(ap);				\
	}

DEFINE_LOG(pr_err, LOG_ERROR, "Error")
DEFINE_LOG(pr_warn, LOG_WARNING, "Warning")
DEFINE_LOG(pr_notice, LOG_NOTICE, "Info")
DEFINE_LOG(pr_info, LOG_INFO, "Info")
DEFINE_LOG(pr_debug, LOG_DEBUG, "Debug")
