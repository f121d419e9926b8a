/* test_control.c: unit tests for the control socket (vmm/control.h): names, directories, request parsing, serving, client. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/fixture.h"
#include "vmm/control.h"

static struct err e;

START_TEST(test_names)
{
	static const char *const good[] = { "vm1", "a", "A.b_c-9", "..x", "-", "lkvm-12345" };
	char max[CONTROL_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(control_check_name(good[i], NULL) == 0, "%s refused", good[i]);
	memset(max, 'n', CONTROL_NAME_MAX);
	max[CONTROL_NAME_MAX] = '\0';
	ck_assert_int_eq(control_check_name(max, NULL), 0);
	max[CONTROL_NAME_MAX] = 'n';
	max[CONTROL_NAME_MAX + 1] = '\0';
	err_clear(&e);
	ck_assert_int_eq(control_check_name(max, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "must have 1 to 64 characters"));
	err_clear(&e);
	ck_assert_int_eq(control_check_name("", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "1 to 64"));
	err_clear(&e);
	ck_assert_int_eq(control_check_name("a/b", &e), -EINVAL);
	ck_assert_str_eq(e.msg, "VM name 'a/b' may only hold letters, digits, '.', '_' and '-'");
	ck_assert_int_eq(control_check_name("a b", NULL), -EINVAL);
	ck_assert_int_eq(control_check_name("vm\n", NULL), -EINVAL);
	ck_assert_int_eq(control_check_name("v\xc3\xa9", NULL), -EINVAL);
	ck_assert_int_eq(control_check_name(".", NULL), -EINVAL);
	ck_assert_int_eq(control_check_name("..", NULL), -EINVAL);
}
END_TEST

#define DIR_IS(uid, xdg, want)								\
	do {										\
		char b_[CONTROL_PATH_MAX];						\
		ck_assert_int_eq(control_runtime_dir((uid), (xdg), b_, sizeof(b_), NULL), 0);	\
		ck_assert_str_eq(b_, (want));						\
	} while (0)

START_TEST(test_runtime_dir)
{
	char b[16];

	DIR_IS(1000, NULL, "/tmp/lkvm-1000");
	DIR_IS(0, NULL, "/run/lkvm");
	DIR_IS(1000, "/run/user/1000", "/run/user/1000/lkvm");
	DIR_IS(0, "/run/user/0", "/run/user/0/lkvm");
	/* Only an absolute $XDG_RUNTIME_DIR counts (XDG Base Directory spec). */
	DIR_IS(1000, "", "/tmp/lkvm-1000");
	DIR_IS(1000, "relative/dir", "/tmp/lkvm-1000");
	DIR_IS(0, "", "/run/lkvm");
	DIR_IS(4294967294U, NULL, "/tmp/lkvm-4294967294");
	err_clear(&e);
	ck_assert_int_eq(control_runtime_dir(1000, "/a/very/long/runtime/dir", b, sizeof(b), &e), -ENAMETOOLONG);
	ck_assert_str_eq(e.msg, "the control socket directory is longer than 15 bytes");
}
END_TEST

START_TEST(test_socket_path)
{
	char b[CONTROL_PATH_MAX], dir[120];

	ck_assert_int_eq(control_socket_path("/run/lkvm", "vm1", b, sizeof(b), NULL), 0);
	ck_assert_str_eq(b, "/run/lkvm/vm1.sock");
	/* A unix socket address holds 107 characters. */
	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[107 - strlen("/x.sock")] = '\0';
	ck_assert_int_eq(control_socket_path(dir, "x", b, sizeof(b), NULL), 0);
	ck_assert_uint_eq(strlen(b), 107);
	dir[107 - strlen("/x.sock")] = 'd';
	dir[108 - strlen("/x.sock")] = '\0';
	err_clear(&e);
	ck_assert_int_eq(control_socket_path(dir, "x", b, sizeof(b), &e), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(e.msg, "control socket path is longer than 107 bytes"));
}
END_TEST

struct req_case {
	const char *buf;
	int len;			/* -1: strlen(buf) */
	int ret;
	enum control_cmd cmd;
	const char *msg;		/* part of the error message */
};

static const struct req_case requests[] = {
	{ "status\n", -1, 0, CONTROL_STATUS, NULL },
	{ "stop\n", -1, 0, CONTROL_STOP, NULL },
	{ "pause\n", -1, 0, CONTROL_PAUSE, NULL },
	{ "resume\n", -1, 0, CONTROL_RESUME, NULL },
	{ "stats\n", -1, 0, CONTROL_STATS, NULL },
	{ "stats\r\n", -1, 0, CONTROL_STATS, NULL },
	{ "pause", -1, 0, CONTROL_PAUSE, NULL },		/* end of file ends the line */
	{ "stop\ngarbage after the line", -1, 0, CONTROL_STOP, NULL },
	{ "status\nstop\n", -1, 0, CONTROL_STATUS, NULL },
	{ "", -1, -EINVAL, 0, "empty request" },
	{ "\n", -1, -EINVAL, 0, "empty request" },
	{ "\r\n", -1, -EINVAL, 0, "empty request" },
	{ "bogus\n", -1, -EINVAL, 0, "unknown request 'bogus' (status, stop, pause, resume or stats)" },
	{ "STATUS\n", -1, -EINVAL, 0, "unknown request 'STATUS'" },
	{ " status\n", -1, -EINVAL, 0, "unknown request ' status'" },
	{ "status \n", -1, -EINVAL, 0, "unknown request 'status '" },
	{ "stat\n", -1, -EINVAL, 0, "unknown request 'stat'" },
	{ "statuses\n", -1, -EINVAL, 0, "unknown request 'statuses'" },
	{ "sta\ttus\n", -1, -EINVAL, 0, "non-printable byte 0x09" },
	{ "stop\r\r\n", -1, -EINVAL, 0, "non-printable byte 0x0d" },
	{ "st\0op\n", 6, -EINVAL, 0, "non-printable byte 0x00" },
	{ "\xff\xfe\n", -1, -EINVAL, 0, "non-printable byte 0xff" },
	{ "0123456789012345678901234567890123456789012345678901234567890123", -1, -E2BIG, 0,
	  "request longer than 63 bytes" },
	{ "012345678901234567890123456789012345678901234567890123456789012\n", -1, -EINVAL, 0,
	  "unknown request '012345678901234567890123456789012345678901234567890123456789012'" },
};

START_TEST(test_parse_request)
{
	const struct req_case *c = &requests[_i];
	enum control_cmd cmd = (enum control_cmd)-1;
	size_t len = c->len < 0 ? strlen(c->buf) : (size_t)c->len;

	err_clear(&e);
	ck_assert_int_eq(control_parse_request(c->buf, len, &cmd, &e), c->ret);
	if (c->ret == 0) {
		ck_assert_int_eq(cmd, c->cmd);
		ck_assert_str_eq(e.msg, "");
	} else {
		ck_assert_msg(strstr(e.msg, c->msg), "case %d: '%s' lacks '%s'", _i, e.msg, c->msg);
	}
}
END_TEST

/* A handler that records what it was asked and replies "ok CMD". */
struct recorder {
	int calls;
	enum control_cmd cmd;
};

static void record(void *ctx, enum control_cmd cmd, FILE *reply)
{
	struct recorder *r = ctx;

	r->calls++;
	r->cmd = cmd;
	fprintf(reply, "ok %d\n", (int)cmd);
}

/* Serves one connection whose client sent req (len bytes), then shut down its writing side unless keep_open. */
static char *serve(const char *req, size_t len, bool keep_open, struct recorder *r, double *seconds)
{
	static char reply[4096];
	struct timespec t0, t1;
	int sv[2];
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], req, len), (ssize_t)len);
	if (!keep_open)
		ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	control_serve_conn(sv[0], record, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(sv[0]);
	n = read(sv[1], reply, sizeof(reply) - 1);
	ck_assert_int_ge(n, 0);
	reply[n] = '\0';
	close(sv[1]);
	if (seconds)
		*seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return reply;
}

START_TEST(test_serve_valid)
{
	struct recorder r = { 0 };

	ck_assert_str_eq(serve("pause\n", 6, true, &r, NULL), "ok 2\n");
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.cmd, CONTROL_PAUSE);
	/* A client that ends its request with end of file rather than a newline. */
	ck_assert_str_eq(serve("stats", 5, false, &r, NULL), "ok 4\n");
	ck_assert_int_eq(r.calls, 2);
}
END_TEST

START_TEST(test_serve_errors)
{
	struct recorder r = { 0 };
	char big[300];

	ck_assert_str_eq(serve("bogus\n", 6, true, &r, NULL),
			 "error: unknown request 'bogus' (status, stop, pause, resume or stats)\n");
	ck_assert_str_eq(serve("", 0, false, &r, NULL), "error: empty request\n");
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	ck_assert_str_eq(serve(big, sizeof(big), true, &r, NULL), "error: request longer than 63 bytes\n");
	ck_assert_str_eq(serve("st\001op\n", 6, true, &r, NULL), "error: request has a non-printable byte 0x01\n");
	ck_assert_int_eq(r.calls, 0);
}
END_TEST

START_TEST(test_serve_silent_client)
{
	struct recorder r = { 0 };
	double s;

	/* Half a line and then nothing: the server gives up after CONTROL_IO_TIMEOUT_MS. */
	ck_assert_str_eq(serve("sta", 3, true, &r, &s), "error: no complete request line within 500 ms\n");
	ck_assert_int_eq(r.calls, 0);
	ck_assert_msg(s >= 0.45 && s < 3.0, "served in %.2f s", s);
	ck_assert_str_eq(serve("", 0, true, &r, &s), "error: no complete request line within 500 ms\n");
}
END_TEST

START_TEST(test_serve_gone_client)
{
	struct recorder r = { 0 };
	int sv[2];

	/* The client vanished: nothing to do, and no SIGPIPE. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], "status\n", 7), 7);
	close(sv[1]);
	control_serve_conn(sv[0], record, &r);
	close(sv[0]);
	ck_assert_int_eq(r.calls, 1);
}
END_TEST

static struct fixture fx;
static char dir[256];

static void dir_setup(void)
{
	fixture_init(&fx);
	fixture_path(&fx, "run/lkvm", dir, sizeof(dir));
}

static void dir_teardown(void)
{
	fixture_cleanup(&fx);
}

START_TEST(test_listen)
{
	struct control c1, c2;
	char path[CONTROL_PATH_MAX];
	struct stat st;

	err_clear(&e);
	ck_assert_msg(control_listen(&c1, dir, "vm1", &e) == 0, "%s", e.msg);
	ck_assert_int_ge(c1.fd, 0);
	ck_assert_str_eq(c1.name, "vm1");
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(lstat(c1.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* The name is taken while its VM answers. */
	err_clear(&e);
	ck_assert_int_eq(control_listen(&c2, dir, "vm1", &e), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "a VM named 'vm1' is already running"));
	ck_assert_int_eq(c2.fd, -1);
	/* Another name is free; closing removes the socket file. */
	ck_assert_int_eq(control_listen(&c2, dir, "vm2", NULL), 0);
	strcpy(path, c2.path);
	control_close(&c2);
	ck_assert_int_eq(lstat(path, &st), -1);
	control_close(&c1);
	ck_assert_int_eq(c1.fd, -1);
}
END_TEST

START_TEST(test_listen_stale)
{
	struct control c1, c2;
	char path[CONTROL_PATH_MAX];
	struct stat st;

	ck_assert_int_eq(control_listen(&c1, dir, "vm1", NULL), 0);
	strcpy(path, c1.path);
	/* lkvm killed: the socket file stays, nobody listens. */
	close(c1.fd);
	ck_assert_int_eq(lstat(path, &st), 0);
	err_clear(&e);
	ck_assert_msg(control_listen(&c2, dir, "vm1", &e) == 0, "%s", e.msg);
	control_close(&c2);
	ck_assert_int_eq(lstat(path, &st), -1);
}
END_TEST

START_TEST(test_listen_unsafe_dir)
{
	struct control c;

	fixture_mkdir(&fx, "run/lkvm");
	ck_assert_int_eq(chmod(dir, 0755), 0);
	err_clear(&e);
	ck_assert_int_eq(control_listen(&c, dir, "vm1", &e), -EPERM);
	ck_assert_ptr_nonnull(strstr(e.msg, "that only it may use (mode 0700)"));
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(control_listen(&c, dir, "bad name", NULL), -EINVAL);
}
END_TEST

/* A server thread: serves n connections on a listening control socket. */
struct server {
	struct control *c;
	int n;
	const char *reply;
};

static void canned(void *ctx, enum control_cmd cmd, FILE *reply)
{
	(void)cmd;
	fputs(ctx, reply);
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	int i;

	for (i = 0; i < s->n; i++) {
		int fd;

		do
			fd = accept(s->c->fd, NULL, NULL);
		while (fd < 0 && errno == EAGAIN && !usleep(1000));
		if (fd < 0)
			break;
		control_serve_conn(fd, canned, (void *)s->reply);
		close(fd);
	}
	return NULL;
}

START_TEST(test_request)
{
	struct control c;
	struct server s = { &c, 3, "name: vm1\nstate: running\n" };
	char *reply = NULL, big[4096];
	pthread_t t;

	ck_assert_int_eq(control_listen(&c, dir, "vm1", NULL), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, server_main, &s), 0);
	err_clear(&e);
	ck_assert_msg(control_request(dir, "vm1", "status", &reply, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(reply, "name: vm1\nstate: running\n");
	free(reply);
	/* The server's own error replies come back as they are. */
	ck_assert_int_eq(control_request(dir, "vm1", "bogus", &reply, NULL), 0);
	ck_assert_str_eq(reply, "error: unknown request 'bogus' (status, stop, pause, resume or stats)\n");
	free(reply);
	/* The server replies and closes before taking all of a long request: the reply still arrives. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_clear(&e);
	ck_assert_msg(control_request(dir, "vm1", big, &reply, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(reply, "error: request longer than 63 bytes\n");
	free(reply);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	control_close(&c);
	err_clear(&e);
	ck_assert_int_eq(control_request(dir, "vm1", "status", &reply, &e), -ENOENT);
	ck_assert_ptr_null(reply);
	ck_assert_ptr_nonnull(strstr(e.msg, "no VM named 'vm1' is running ("));
	ck_assert_ptr_nonnull(strstr(e.msg, "vm1.sock does not exist)"));
}
END_TEST

START_TEST(test_request_stale)
{
	struct control c;
	char *reply = NULL;

	ck_assert_int_eq(control_listen(&c, dir, "old", NULL), 0);
	close(c.fd);
	err_clear(&e);
	ck_assert_int_eq(control_request(dir, "old", "status", &reply, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "old.sock is stale)"));
}
END_TEST

START_TEST(test_list)
{
	struct control live, stale;
	struct server s = { &live, 1,
			    "name: vm1\npid: 4242\nvcpus: 2\nmemory_mib: 128\npmu: armv8_pmuv3_0 (type 8)\nstate: paused\n" };
	char *out = NULL, path[CONTROL_PATH_MAX];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct stat st;
	pthread_t t;

	ck_assert_int_eq(control_listen(&live, dir, "vm1", NULL), 0);
	ck_assert_int_eq(control_listen(&stale, dir, "crashed", NULL), 0);
	strcpy(path, stale.path);
	close(stale.fd);
	fixture_write(&fx, "run/lkvm/notes.txt", "not a socket\n");
	ck_assert_int_eq(pthread_create(&t, NULL, server_main, &s), 0);
	err_clear(&e);
	ck_assert_int_eq(control_list(dir, f, &e), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(strstr(out, "NAME") == out, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nvm1 "));
	ck_assert_ptr_nonnull(strstr(out, " 4242 "));
	ck_assert_ptr_nonnull(strstr(out, " paused "));
	ck_assert_ptr_nonnull(strstr(out, " armv8_pmuv3_0 (type 8)\n"));
	ck_assert_ptr_null(strstr(out, "crashed"));
	ck_assert_ptr_null(strstr(out, "notes"));
	/* The stale socket is gone. */
	ck_assert_int_eq(lstat(path, &st), -1);
	control_close(&live);
	free(out);
}
END_TEST

START_TEST(test_list_no_dir)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	/* No directory yet: no VM, only the heading. */
	ck_assert_int_eq(control_list(dir, f, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(out, "NAME"));
	ck_assert_str_eq(strchr(out, '\n'), "\n");
	free(out);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *pure = tcase_create("pure");
	TCase *conn = tcase_create("serve");
	TCase *sock = tcase_create("socket");

	tcase_add_test(pure, test_names);
	tcase_add_test(pure, test_runtime_dir);
	tcase_add_test(pure, test_socket_path);
	tcase_add_loop_test(pure, test_parse_request, 0, sizeof(requests) / sizeof(requests[0]));
	suite_add_tcase(s, pure);

	tcase_add_test(conn, test_serve_valid);
	tcase_add_test(conn, test_serve_errors);
	tcase_add_test(conn, test_serve_silent_client);
	tcase_add_test(conn, test_serve_gone_client);
	suite_add_tcase(s, conn);

	tcase_add_checked_fixture(sock, dir_setup, dir_teardown);
	tcase_add_test(sock, test_listen);
	tcase_add_test(sock, test_listen_stale);
	tcase_add_test(sock, test_listen_unsafe_dir);
	tcase_add_test(sock, test_request);
	tcase_add_test(sock, test_request_stale);
	tcase_add_test(sock, test_list);
	tcase_add_test(sock, test_list_no_dir);
	suite_add_tcase(s, sock);
	return s;
}

int main(void)
{
	return fixture_run_suite(control_suite());
}
