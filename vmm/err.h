/* err.h: the error record library code fills in; only main() turns it into "Fatal: ..." and an exit status. */
#ifndef LKVM_ERR_H
#define LKVM_ERR_H

#include <stddef.h>

/*
 * Contract: a library function that fails calls err_set() once with the most
 * specific description it has, and returns the negative errno err_set()
 * returned.  Callers propagate the value without overwriting the message: the
 * first message recorded wins, so the user sees the innermost cause.
 */
struct err {
	int errnum;		/* positive errno of the first failure, 0 if none */
	char msg[1536];		/* one line, no trailing newline (event lists are long) */
};

/* Records "fmt..." (if nothing is recorded yet) and returns -errnum (-EINVAL if errnum is 0). */
int err_set(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As err_set(), appending ": strerror(errnum)". */
int err_sys(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void err_clear(struct err *e);

#endif
