/* fixture.h: throw-away file trees for unit tests (sysfs look-alikes) under a fresh mkdtemp directory. */
#ifndef LKVM_TEST_FIXTURE_H
#define LKVM_TEST_FIXTURE_H

#include <stddef.h>

/*
 * Every helper but the sweep pair fails the current libcheck test (ck_assert) when a file
 * system call fails, so tests never run against a half-built tree.
 */
struct fixture {
	char root[256];		/* absolute path of the temporary directory */
};

/* Creates $TMPDIR/lkvm-test-XXXXXX (/tmp without TMPDIR). */
void fixture_init(struct fixture *fx);

/* Removes the whole tree (symlinks themselves, never their targets). */
void fixture_cleanup(struct fixture *fx);

/*
 * For a test program's main(), around srunner_run_all(): a failed check
 * ends its forked test before teardown runs, leaving its tree behind.
 * fixture_sweep_begin() makes a private directory and points TMPDIR at it,
 * so every fixture_init() of the run lands inside; fixture_sweep_end()
 * removes it with whatever failed tests left.  They run outside any test,
 * so instead of failing a check they return -1 after a message on stderr.
 */
int fixture_sweep_begin(struct fixture *base);
int fixture_sweep_end(struct fixture *base);

/* A test main(): runs suite s between fixture_sweep_begin/end; EXIT_SUCCESS only if all passed. */
struct Suite;
int fixture_run_suite(struct Suite *s);

/* root/rel into buf; returns buf. */
const char *fixture_path(const struct fixture *fx, const char *rel, char *buf, size_t size);

/* mkdir -p root/rel. */
void fixture_mkdir(const struct fixture *fx, const char *rel);

/* Writes content to root/rel, creating its parent directories. */
void fixture_write(const struct fixture *fx, const char *rel, const char *content);

/* Creates the symlink root/rel -> target (target taken literally), creating rel's parents. */
void fixture_symlink(const struct fixture *fx, const char *target, const char *rel);

/*
 * A perf PMU as sysfs shows it: devices/<name>/ holding the "type", "cpus"
 * and "cpumask" files given (NULL = no such file), and the symlink
 * bus/event_source/devices/<name> -> ../../../devices/<name>.
 */
void fixture_pmu(const struct fixture *fx, const char *name, const char *type, const char *cpus,
		 const char *cpumask);

#endif
