/* fixture.c: builds and removes the temporary file trees unit tests read (see fixture.h). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/fixture.h"

/* mkdtemp under $TMPDIR into fx->root; -1 on failure. */
static int make_root(struct fixture *fx)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fx->root, sizeof(fx->root), "%s/lkvm-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(fx->root) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -rf fx->root, depth first, not following symlinks; -1 on failure. */
static int remove_root(struct fixture *fx)
{
	int ret = 0;

	if (fx->root[0])
		ret = nftw(fx->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!ret)
		fx->root[0] = '\0';
	return ret ? -1 : 0;
}

void fixture_init(struct fixture *fx)
{
	ck_assert_msg(make_root(fx) == 0, "mkdtemp %s: %s", fx->root, strerror(errno));
}

void fixture_cleanup(struct fixture *fx)
{
	ck_assert_msg(remove_root(fx) == 0, "removing %s: %s", fx->root, strerror(errno));
}

int fixture_sweep_begin(struct fixture *base)
{
	if (make_root(base) == 0 && setenv("TMPDIR", base->root, 1) == 0)
		return 0;
	fprintf(stderr, "fixture: making %s: %s\n", base->root, strerror(errno));
	return -1;
}

int fixture_sweep_end(struct fixture *base)
{
	char root[sizeof(base->root)];

	memcpy(root, base->root, sizeof(root));
	if (remove_root(base) == 0)
		return 0;
	fprintf(stderr, "fixture: removing %s: %s\n", root, strerror(errno));
	return -1;
}

const char *fixture_path(const struct fixture *fx, const char *rel, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", fx->root, rel);

	ck_assert_msg(n > 0 && (size_t)n < size, "fixture path too long: %s/%s", fx->root, rel);
	return buf;
}

void fixture_mkdir(const struct fixture *fx, const char *rel)
{
	char path[1024];
	char *slash;

	fixture_path(fx, rel, path, sizeof(path));
	/* Create each prefix in turn, after the root, which exists. */
	for (slash = path + strlen(fx->root) + 1;; slash++) {
		slash = strchr(slash, '/');
		if (slash)
			*slash = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
			      strerror(errno));
		if (!slash)
			return;
		*slash = '/';
	}
}

/* mkdir -p of rel's parent directory, if it has one. */
static void make_parent(const struct fixture *fx, const char *rel)
{
	char parent[1024];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", rel);
	slash = strrchr(parent, '/');
	if (!slash)
		return;
	*slash = '\0';
	fixture_mkdir(fx, parent);
}

void fixture_write(const struct fixture *fx, const char *rel, const char *content)
{
	char path[1024];
	size_t len = strlen(content);
	int fd;

	make_parent(fx, rel);
	fixture_path(fx, rel, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, content, len) == (ssize_t)len, "write %s: %s", path, strerror(errno));
	close(fd);
}

void fixture_symlink(const struct fixture *fx, const char *target, const char *rel)
{
	char path[1024];

	make_parent(fx, rel);
	fixture_path(fx, rel, path, sizeof(path));
	ck_assert_msg(symlink(target, path) == 0, "symlink %s: %s", path, strerror(errno));
}

void fixture_pmu(const struct fixture *fx, const char *name, const char *type, const char *cpus,
		 const char *cpumask)
{
	const char *attr[] = { "type", "cpus", "cpumask" };
	const char *value[] = { type, cpus, cpumask };
	char rel[512], link[512];

	snprintf(rel, sizeof(rel), "devices/%s", name);
	fixture_mkdir(fx, rel);
	for (size_t i = 0; i < sizeof(attr) / sizeof(attr[0]); i++) {
		if (!value[i])
			continue;
		snprintf(rel, sizeof(rel), "devices/%s/%s", name, attr[i]);
		fixture_write(fx, rel, value[i]);
	}
	snprintf(rel, sizeof(rel), "../../../devices/%s", name);
	snprintf(link, sizeof(link), "bus/event_source/devices/%s", name);
	fixture_symlink(fx, rel, link);
}

int fixture_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	struct fixture base;
	int failed;

	if (fixture_sweep_begin(&base)) {
		srunner_free(sr);
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (fixture_sweep_end(&base))
		return EXIT_FAILURE;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
