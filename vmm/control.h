/* control.h: a running VM's control socket (docs/control.md): names and paths, the one-line protocol, server and client. */
#ifndef LKVM_CONTROL_H
#define LKVM_CONTROL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/un.h>

#include "vmm/err.h"

struct vm;

#define CONTROL_NAME_MAX	64	/* characters of a VM name */
#define CONTROL_REQUEST_MAX	64	/* bytes of a request line, its newline included */
#define CONTROL_IO_TIMEOUT_MS	500	/* the server's wait for a request, and for the client to take the reply */
#define CONTROL_REPLY_MAX	(4U << 20)	/* the longest reply a client accepts */
#define CONTROL_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

enum control_cmd { CONTROL_STATUS, CONTROL_STOP, CONTROL_PAUSE, CONTROL_RESUME, CONTROL_STATS };

/* A VM name: 1 to CONTROL_NAME_MAX of [A-Za-z0-9._-], not "." or "..". 0 or -EINVAL with a message. */
int control_check_name(const char *name, struct err *e);

/*
 * The directory of the control sockets, a pure function of the caller's
 * uid and $XDG_RUNTIME_DIR (NULL if unset): "$XDG_RUNTIME_DIR/lkvm" when
 * that is an absolute path, else "/run/lkvm" for root, else
 * "/tmp/lkvm-UID".  -ENAMETOOLONG when it does not fit size.
 */
int control_runtime_dir(uid_t uid, const char *xdg_runtime_dir, char *buf, size_t size, struct err *e);

/* DIR/NAME.sock, which must fit a unix socket address. */
int control_socket_path(const char *dir, const char *name, char *buf, size_t size, struct err *e);

/*
 * Parses one request: the bytes before the first '\n' (a '\r' before it is
 * dropped; without any '\n' all len bytes, as a client that closed without
 * one sent).  A known command word alone is valid; an empty, unknown,
 * non-printable or longer than CONTROL_REQUEST_MAX request is -EINVAL with
 * the message to send back after "error: ".
 */
int control_parse_request(const char *buf, size_t len, enum control_cmd *cmd, struct err *e);

/*
 * Serves one accepted connection fd: reads one request (at most
 * CONTROL_REQUEST_MAX bytes, waiting CONTROL_IO_TIMEOUT_MS at most, so a
 * silent client cannot hold the caller), has handler write the reply of a
 * valid one to reply, or writes "error: ..." itself, and sends it (again
 * within the timeout).  The caller closes fd.  The handler reports failure
 * by writing a line starting "error: ".
 */
typedef void control_handler(void *ctx, enum control_cmd cmd, FILE *reply);
void control_serve_conn(int fd, control_handler *handler, void *ctx);

/*
 * The server end.  control_listen() makes dir (mode 0700, which must then
 * be a directory of this euid's that no one else may enter) and listens on
 * DIR/NAME.sock (mode 0600); a socket file nobody answers on is stale and
 * replaced, one a live VM answers on is -EADDRINUSE.  The listening fd is
 * non-blocking.  control_close() closes it and removes the socket file.
 */
struct control {
	int fd;				/* listening socket, or -1 */
	char name[CONTROL_NAME_MAX + 1];
	char path[CONTROL_PATH_MAX];
};
int control_listen(struct control *c, const char *dir, const char *name, struct err *e);
void control_close(struct control *c);

/*
 * The VM's control socket: the name from --name or "lkvm-PID", the
 * directory from control_default_dir(), the listening fd on the main loop
 * (vm_watch_fd()), each request served there synchronously.
 */
int control_vm_open(struct vm *vm, struct err *e);

/* control_runtime_dir() for this process (getuid(), getenv("XDG_RUNTIME_DIR")). */
int control_default_dir(char *buf, size_t size, struct err *e);

/*
 * The client end: sends line to the VM called name and returns its whole
 * reply in *reply (malloc'ed, NUL-terminated).  No VM of that name (no
 * socket, or a stale one) is -ENOENT with a message naming it.
 */
int control_request(const char *dir, const char *name, const char *line, char **reply, struct err *e);

/*
 * lkvm list: one line per VM with a socket in dir (none when dir does not
 * exist), from its status reply; stale sockets are removed.
 */
int control_list(const char *dir, FILE *out, struct err *e);

#endif
