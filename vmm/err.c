/* err.c: records the first failure of a call chain as one line of text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/err.h"

static int err_vset(struct err *e, int errnum, const char *suffix, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int err_vset(struct err *e, int errnum, const char *suffix, const char *fmt, va_list ap)
{
	int ret = errnum ? -errnum : -EINVAL;
	size_t n;

	if (!e || e->msg[0])
		return ret;
	e->errnum = -ret;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	n = strlen(e->msg);
	if (suffix && n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", suffix);
	return ret;
}

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(e, errnum, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int err_sys(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(e, errnum, strerror(errnum), fmt, ap);
	va_end(ap);
	return ret;
}

void err_clear(struct err *e)
{
	e->errnum = 0;
	e->msg[0] = '\0';
}
