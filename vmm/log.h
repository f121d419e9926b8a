/* log.h: warnings and informational lines on stderr, in kvmtool's "  Warning: ..." / "  Info: ..." style. */
#ifndef LKVM_LOG_H
#define LKVM_LOG_H

#include <stdint.h>

/* NOTICE lines are shown by default (tagged Info); INFO ones need --loglevel info. */
enum log_level { LOG_ERROR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/*
 * The level is process-wide and set once by main() before any thread starts
 * (--loglevel / --debug); it is the one piece of global state, read-only
 * after start-up.
 */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* CLOCK_MONOTONIC in microseconds, for timings in debug lines. */
uint64_t log_monotonic_us(void);

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
