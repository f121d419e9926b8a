/* control.c: the control socket: name and path rules, request parsing, the VM's server in the main loop, the client. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmm/control.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

/* The client waits this long for a reply: a pause waits up to VM_PAUSE_TIMEOUT_MS for the vcpus. */
#define CONTROL_CLIENT_TIMEOUT_MS	10000
#define SOCK_SUFFIX			".sock"

struct command {
	const char *word;
	enum control_cmd cmd;
};

static const struct command commands[] = {
	{ "status", CONTROL_STATUS },
	{ "stop", CONTROL_STOP },
	{ "pause", CONTROL_PAUSE },
	{ "resume", CONTROL_RESUME },
	{ "stats", CONTROL_STATS },
};

int control_check_name(const char *name, struct err *e)
{
	size_t len = strlen(name);

	if (!len || len > CONTROL_NAME_MAX)
		return err_set(e, EINVAL, "VM name '%.*s%s' must have 1 to %d characters", CONTROL_NAME_MAX, name,
			       len > CONTROL_NAME_MAX ? "..." : "", CONTROL_NAME_MAX);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
		return err_set(e, EINVAL, "VM name '%s' may only hold letters, digits, '.', '_' and '-'", name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return err_set(e, EINVAL, "VM name '%s' is not allowed", name);
	return 0;
}

static int fits(int n, size_t size, const char *what, struct err *e)
{
	if (n < 0 || (size_t)n >= size)
		return err_set(e, ENAMETOOLONG, "%s is longer than %zu bytes", what, size - 1);
	return 0;
}

int control_runtime_dir(uid_t uid, const char *xdg_runtime_dir, char *buf, size_t size, struct err *e)
{
	int n;

	/* The XDG Base Directory spec: only an absolute $XDG_RUNTIME_DIR counts. */
	if (xdg_runtime_dir && xdg_runtime_dir[0] == '/')
		n = snprintf(buf, size, "%s/lkvm", xdg_runtime_dir);
	else if (uid == 0)
		n = snprintf(buf, size, "/run/lkvm");
	else
		n = snprintf(buf, size, "/tmp/lkvm-%u", (unsigned)uid);
	return fits(n, size, "the control socket directory", e);
}

int control_default_dir(char *buf, size_t size, struct err *e)
{
	return control_runtime_dir(geteuid(), getenv("XDG_RUNTIME_DIR"), buf, size, e);
}

int control_socket_path(const char *dir, const char *name, char *buf, size_t size, struct err *e)
{
	int n = snprintf(buf, size, "%s/%s" SOCK_SUFFIX, dir, name);

	if (size > CONTROL_PATH_MAX)
		size = CONTROL_PATH_MAX;
	return fits(n, size, "the control socket path", e);
}

int control_parse_request(const char *buf, size_t len, enum control_cmd *cmd, struct err *e)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len, i;

	if (n + 1 > CONTROL_REQUEST_MAX)
		return err_set(e, E2BIG, "request longer than %d bytes", CONTROL_REQUEST_MAX - 1);
	if (n && buf[n - 1] == '\r')
		n--;
	if (!n)
		return err_set(e, EINVAL, "empty request");
	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return err_set(e, EINVAL, "request has a non-printable byte 0x%02x",
				       (unsigned char)buf[i]);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strlen(commands[i].word) == n && !memcmp(buf, commands[i].word, n)) {
			*cmd = commands[i].cmd;
			return 0;
		}
	}
	return err_set(e, EINVAL, "unknown request '%.*s' (status, stop, pause, resume or stats)", (int)n, buf);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events, or the deadline (now_ms()) passes: 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len) {
		ssize_t n;
		int ret = wait_fd(fd, POLLOUT, deadline);

		if (ret)
			return ret;
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Receives into buf until a '\n' (stop_at_newline), end of file or size
 * bytes: 0 at a newline or end of file, -E2BIG when buf filled first,
 * -ETIMEDOUT at the deadline.  *len is what arrived either way.
 */
static int recv_until(int fd, char *buf, size_t size, bool stop_at_newline, size_t *len,
		      long long deadline)
{
	*len = 0;
	while (*len < size) {
		ssize_t n;
		int ret = wait_fd(fd, POLLIN, deadline);

		if (ret)
			return ret;
		n = recv(fd, buf + *len, size - *len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += (size_t)n;
		if (stop_at_newline && memchr(buf + *len - n, '\n', (size_t)n))
			return 0;
	}
	return -E2BIG;
}

void control_serve_conn(int fd, control_handler *handler, void *ctx)
{
	char req[CONTROL_REQUEST_MAX], *out = NULL;
	size_t len = 0, out_len = 0;
	struct err e = { 0 };
	enum control_cmd cmd = CONTROL_STATUS;
	FILE *reply;
	int ret = recv_until(fd, req, sizeof(req), true, &len, now_ms() + CONTROL_IO_TIMEOUT_MS);

	if (ret == -E2BIG)
		err_set(&e, E2BIG, "request longer than %d bytes", CONTROL_REQUEST_MAX - 1);
	else if (ret == -ETIMEDOUT)
		err_set(&e, ETIMEDOUT, "no complete request line within %d ms", CONTROL_IO_TIMEOUT_MS);
	else if (ret)
		return;	/* the client is gone */
	else
		control_parse_request(req, len, &cmd, &e);
	reply = open_memstream(&out, &out_len);
	if (!reply)
		return;
	if (e.msg[0])
		fprintf(reply, "error: %s\n", e.msg);
	else
		handler(ctx, cmd, reply);
	if (fclose(reply) == 0 && send_all(fd, out, out_len, now_ms() + CONTROL_IO_TIMEOUT_MS))
		pr_debug("control socket: the client did not take its reply");
	free(out);
}

/* Creates dir's missing parents (0755) and dir (0700), then checks dir is private to this euid. */
static int make_private_dir(const char *dir, struct err *e)
{
	char path[CONTROL_PATH_MAX];
	struct stat st;
	size_t i;

	if (fits(snprintf(path, sizeof(path), "%s", dir), sizeof(path), "the control socket directory", e))
		return -ENAMETOOLONG;
	for (i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return err_sys(e, errno, "cannot create %s", path);
		path[i] = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return err_sys(e, errno, "cannot create %s", dir);
	if (lstat(dir, &st))
		return err_sys(e, errno, "cannot stat %s", dir);
	/* Anyone who could enter it could replace a socket or squat on a name. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return err_set(e, EPERM, "%s must be a directory of uid %u that only it may use (mode 0700)", dir,
			       (unsigned)geteuid());
	return 0;
}

/* A connected socket to path (connect waits at most timeout_ms for a full backlog), or -errno. */
static int connect_path(const char *path, int timeout_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* On a unix socket, SO_SNDTIMEO bounds connect() (unix(7)). */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* 0 when path is free (nothing there, or a stale socket now removed), -EADDRINUSE when a VM answers on it. */
static int claim_path(const char *path, const char *name, struct err *e)
{
	int fd = connect_path(path, CONTROL_IO_TIMEOUT_MS);

	if (fd >= 0) {
		close(fd);
		return err_set(e, EADDRINUSE, "a VM named '%s' is already running (%s)", name, path);
	}
	if (fd == -ENOENT)
		return 0;
	if (fd != -ECONNREFUSED)
		return err_sys(e, -fd, "cannot check %s", path);
	pr_info("removing the stale control socket %s", path);
	if (unlink(path) && errno != ENOENT)
		return err_sys(e, errno, "cannot remove the stale control socket %s", path);
	return 0;
}

int control_listen(struct control *c, const char *dir, const char *name, struct err *e)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int ret;

	c->fd = -1;
	c->path[0] = '\0';
	ret = control_check_name(name, e);
	if (!ret)
		ret = control_socket_path(dir, name, addr.sun_path, sizeof(addr.sun_path), e);
	if (!ret)
		ret = make_private_dir(dir, e);
	if (!ret)
		ret = claim_path(addr.sun_path, name, e);
	if (ret)
		return ret;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return err_sys(e, errno, "socket(AF_UNIX)");
	if (bind(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		/* Another lkvm took the name between the check and here. */
		if (errno == EADDRINUSE)
			return err_set(e, EADDRINUSE, "a VM named '%s' is already running (%s)", name,
				       addr.sun_path);
		return err_sys(e, errno, "cannot bind %s", addr.sun_path);
	}
	strcpy(c->path, addr.sun_path);
	strcpy(c->name, name);
	if (chmod(c->path, 0600))
		return err_sys(e, errno, "cannot chmod %s", c->path);
	if (listen(c->fd, 16))
		return err_sys(e, errno, "cannot listen on %s", c->path);
	return 0;
}

void control_close(struct control *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path[0] && unlink(c->path))
		pr_debug("cannot remove %s: %s", c->path, strerror(errno));
	c->path[0] = '\0';
}

static void print_status(struct vm *vm, FILE *out)
{
	const struct vpmu *v = &vm->vpmu;

	fprintf(out, "name: %s\npid: %d\nvcpus: %u\nmemory_mib: %llu\n", vm->ctl.name, (int)getpid(),
		vm->nr_vcpus, (unsigned long long)vm->cfg->mem_mib);
	if (v->have_plan)
		fprintf(out, "pmu: %s (type %u)\n", v->plan.pmu.name, v->plan.pmu.type);
	else
		fprintf(out, "pmu: none\n");
	fprintf(out, "state: %s\n", vm_paused(vm) ? "paused" : "running");
}

/* The VM's control_handler: runs on the main thread, between two polls of the main loop. */
static void vm_control(void *ctx, enum control_cmd cmd, FILE *reply)
{
	struct vm *vm = ctx;
	struct err e = { 0 };

	switch (cmd) {
	case CONTROL_STATUS:
		print_status(vm, reply);
		return;
	case CONTROL_STOP:
		pr_notice("control socket: stop: stopping the VM");
		vm_stop(vm, LKVM_EXIT_STOP, NULL);
		fprintf(reply, "stopping\n");
		return;
	case CONTROL_PAUSE:
		if (vm_pause(vm, &e))
			break;
		pr_notice("control socket: pause: vcpus paused");
		fprintf(reply, "paused\n");
		return;
	case CONTROL_RESUME:
		vm_resume(vm);
		pr_notice("control socket: resume: vcpus running");
		fprintf(reply, "running\n");
		return;
	case CONTROL_STATS:
		if (stats_vm_report(vm, reply, &e))
			break;
		return;
	}
	fprintf(reply, "error: %s\n", e.msg);
}

static void on_connection(void *arg)
{
	struct vm *vm = arg;
	int fd = accept4(vm->ctl.fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			pr_warn("control socket: accept: %s", strerror(errno));
		return;
	}
	control_serve_conn(fd, vm_control, vm);
	close(fd);
}

int control_vm_open(struct vm *vm, struct err *e)
{
	char dir[CONTROL_PATH_MAX], name[CONTROL_NAME_MAX + 1];
	int ret;

	if (vm->cfg->name)
		snprintf(name, sizeof(name), "%s", vm->cfg->name);
	else
		snprintf(name, sizeof(name), "lkvm-%d", (int)getpid());
	ret = control_default_dir(dir, sizeof(dir), e);
	if (!ret)
		ret = control_listen(&vm->ctl, dir, name, e);
	if (!ret)
		ret = vm_watch_fd(vm, vm->ctl.fd, on_connection, vm, e);
	if (!ret)
		pr_info("control socket: %s", vm->ctl.path);
	return ret;
}

/* Sends line to the socket at path and reads the whole reply; -ECONNREFUSED/-ENOENT with no message. */
static int request_path(const char *path, const char *line, char **reply, struct err *e)
{
	long long deadline = now_ms() + CONTROL_CLIENT_TIMEOUT_MS;
	size_t cap = 4096, len = 0, got;
	char *buf = NULL;
	int fd, ret;

	*reply = NULL;
	fd = connect_path(path, CONTROL_CLIENT_TIMEOUT_MS);
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		return fd;
	if (fd < 0)
		return err_sys(e, -fd, "cannot connect to %s", path);
	/*
	 * The server may answer and close before taking a whole (too long)
	 * request: its reply is still there to read, so a failed send is not
	 * an error by itself (nor a failed shutdown: the server already closed).
	 */
	if (!send_all(fd, line, strlen(line), deadline) && !send_all(fd, "\n", 1, deadline))
		shutdown(fd, SHUT_WR);
	for (ret = -E2BIG; ret == -E2BIG && cap <= CONTROL_REPLY_MAX; cap *= 2) {
		char *bigger = realloc(buf, cap + 1);

		if (!bigger) {
			ret = -ENOMEM;
			break;
		}
		buf = bigger;
		ret = recv_until(fd, buf + len, cap - len, false, &got, deadline);
		len += got;
	}
	close(fd);
	/* A server that closed with some of our request unread resets the connection after its reply (Linux AF_UNIX). */
	if (ret == -ECONNRESET && len)
		ret = 0;
	if (!ret && !len)
		ret = -EPIPE;	/* closed without a word */
	if (ret) {
		free(buf);
		return ret == -E2BIG ? err_set(e, E2BIG, "%s: reply longer than %u bytes", path, CONTROL_REPLY_MAX)
				     : err_sys(e, -ret, "%s: no reply", path);
	}
	buf[len] = '\0';
	*reply = buf;
	return 0;
}

int control_request(const char *dir, const char *name, const char *line, char **reply, struct err *e)
{
	char path[CONTROL_PATH_MAX];
	int ret = control_check_name(name, e);

	if (!ret)
		ret = control_socket_path(dir, name, path, sizeof(path), e);
	if (!ret)
		ret = request_path(path, line, reply, e);
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		return err_set(e, ENOENT, "no VM named '%s' is running (%s %s)", name, path,
			       ret == -ENOENT ? "does not exist" : "is stale");
	return ret;
}

/* The value of "KEY: value" in a status reply, or "?". */
static const char *status_field(const char *reply, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = reply; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == ' ') {
			p += klen + 2;
			snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
			return buf;
		}
	}
	return "?";
}

static void list_one(const char *dir, const char *name, FILE *out)
{
	char path[CONTROL_PATH_MAX], b[5][128], *reply = NULL;
	struct err e = { 0 };
	int ret = control_socket_path(dir, name, path, sizeof(path), &e);

	if (!ret)
		ret = request_path(path, "status", &reply, &e);
	if (ret == -ECONNREFUSED) {
		/* Nobody answers: its lkvm is gone without removing it. */
		if (unlink(path) && errno != ENOENT)
			pr_warn("cannot remove the stale control socket %s: %s", path, strerror(errno));
		return;
	}
	if (ret == -ENOENT)
		return;		/* the VM ended while we looked */
	fprintf(out, "%-24s %8s %5s %8s %-8s %s\n", name, status_field(reply, "pid", b[0], sizeof(b[0])),
		status_field(reply, "vcpus", b[1], sizeof(b[1])),
		status_field(reply, "memory_mib", b[2], sizeof(b[2])),
		ret ? "unknown" : status_field(reply, "state", b[3], sizeof(b[3])),
		status_field(reply, "pmu", b[4], sizeof(b[4])));
	free(reply);
}

static int is_socket_name(const struct dirent *d)
{
	size_t len = strlen(d->d_name), slen = strlen(SOCK_SUFFIX);

	return len > slen && !strcmp(d->d_name + len - slen, SOCK_SUFFIX);
}

int control_list(const char *dir, FILE *out, struct err *e)
{
	struct dirent **ents = NULL;
	int n, i;

	fprintf(out, "%-24s %8s %5s %8s %-8s %s\n", "NAME", "PID", "VCPUS", "MEM_MIB", "STATE", "PMU");
	n = scandir(dir, &ents, is_socket_name, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "cannot list %s", dir);
	for (i = 0; i < n; i++) {
		char name[CONTROL_NAME_MAX + 1];
		size_t len = strlen(ents[i]->d_name) - strlen(SOCK_SUFFIX);

		if (len <= CONTROL_NAME_MAX) {
			snprintf(name, sizeof(name), "%.*s", (int)len, ents[i]->d_name);
			if (!control_check_name(name, NULL))
				list_one(dir, name, out);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}
