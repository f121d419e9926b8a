/* run.c: vm_run(): starts the vcpu threads and serves console input, signals and the stop request until the VM ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/term.h"
#include "vmm/vm.h"

/* Console input read from stdin and not yet taken by the guest's UART. */
struct input {
	int fd;			/* -1 once closed or at EOF */
	uint8_t buf[512];
	size_t len, off;
};

static void kick_handler(int sig)
{
	(void)sig;
}

static int setup_signals(int *sigfd, struct err *e)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;

	/* SIGUSR1 only kicks a vcpu out of KVM_RUN: no SA_RESTART. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return err_sys(e, errno, "sigaction(SIGUSR1)");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	/* Blocked here and inherited by the vcpu threads; they unblock SIGUSR1 alone. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return err_set(e, EINVAL, "pthread_sigmask failed");
	sigdelset(&set, SIGUSR1);
	*sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (*sigfd < 0)
		return err_sys(e, errno, "signalfd");
	return 0;
}

static void join_vcpus(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
}

/* Threads are created with their affinity, so no vcpu ever enters KVM_RUN off its PMU's CPUs. */
static int start_vcpus(struct vm *vm, struct err *e)
{
	pthread_attr_t attr;
	cpu_set_t set;
	unsigned i;
	int ret;

	ret = pthread_attr_init(&attr);
	if (ret)
		return err_sys(e, ret, "pthread_attr_init");
	if (vm->vpmu.pin) {
		cpuset_to_cpu_set(&vm->vpmu.pin_set, &set);
		ret = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (ret)
			err_sys(e, ret, "pthread_attr_setaffinity_np");
	}
	for (i = 0; !ret && i < vm->nr_vcpus; i++) {
		ret = pthread_create(&vm->vcpus[i].thread, &attr, vcpu_thread, &vm->vcpus[i]);
		if (ret)
			err_sys(e, ret, "cannot start the thread of vcpu %u", i);
		else
			vm->vcpus[i].started = true;
	}
	pthread_attr_destroy(&attr);
	return ret ? -ret : 0;
}

/* Hands buffered input to the console device; returns true when some is still waiting. */
static bool feed_console(struct vm *vm, struct input *in)
{
	struct device *dev = vm->console;

	if (!dev || !dev->ops->console_in) {
		in->len = in->off = 0;
		return false;
	}
	pthread_mutex_lock(&dev->lock);
	in->off += dev->ops->console_in(dev, in->buf + in->off, in->len - in->off);
	pthread_mutex_unlock(&dev->lock);
	if (in->off == in->len)
		in->len = in->off = 0;
	return in->len != 0;
}

static void read_input(struct vm *vm, struct term *t, struct input *in)
{
	uint8_t raw[sizeof(in->buf) / 2];
	ssize_t n = read(in->fd, raw, sizeof(raw));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* EOF or a dead stdin: the guest keeps running without input. */
		in->fd = -1;
		return;
	}
	if (!t->raw) {
		memcpy(in->buf, raw, n);
		in->len = n;
	} else if (term_filter(t, raw, n, in->buf, &in->len)) {
		vm_stop(vm, LKVM_EXIT_POWEROFF, NULL);
	}
	in->off = 0;
	feed_console(vm, in);
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		pr_debug("eventfd read: %s", strerror(errno));
}

static void handle_signal(struct vm *vm, int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	pr_info("stopping the VM on signal %u", si.ssi_signo);
	vm_stop(vm, LKVM_EXIT_SIGNAL + si.ssi_signo, NULL);
}

enum { PFD_STOP, PFD_SIGNAL, PFD_READY, PFD_INPUT, PFD_TIMEOUT, NR_PFDS };

/* --timeout: a timerfd armed once for the whole run, reboots included. */
static int arm_timeout(unsigned seconds, int *tfd, struct err *e)
{
	struct itimerspec its = { .it_value.tv_sec = seconds };

	*tfd = -1;
	if (!seconds)
		return 0;
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (*tfd < 0)
		return err_sys(e, errno, "timerfd_create");
	if (timerfd_settime(*tfd, 0, &its, NULL))
		return err_sys(e, errno, "timerfd_settime");
	return 0;
}

static void serve_watches(struct vm *vm, const struct pollfd *pfd)
{
	unsigned i;

	for (i = 0; i < vm->nr_watches; i++)
		if (pfd[i].revents & POLLIN)
			vm->watches[i].cb(vm->watches[i].arg);
}

/*
 * The main thread's loop: stop requests, signals, console input and the
 * watched fds (device queue kicks and taps, the control socket) all wait in
 * one poll().
 */
static void serve(struct vm *vm, struct term *t, int sigfd, int tfd)
{
	struct input in = { .fd = fcntl(STDIN_FILENO, F_GETFD) < 0 ? -1 : STDIN_FILENO };
	struct pollfd pfd[NR_PFDS + VM_MAX_WATCHES];
	unsigned i;

	for (i = 0; i < vm->nr_watches; i++)
		pfd[NR_PFDS + i] = (struct pollfd){ .fd = vm->watches[i].fd, .events = POLLIN };
	for (;;) {
		pfd[PFD_STOP] = (struct pollfd){ .fd = vm->stop_fd, .events = POLLIN };
		pfd[PFD_SIGNAL] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[PFD_READY] = (struct pollfd){ .fd = vm->console_ready_fd, .events = POLLIN };
		/* Read more input only when the console took all of the last. */
		pfd[PFD_INPUT] = (struct pollfd){ .fd = in.len ? -1 : in.fd, .events = POLLIN };
		pfd[PFD_TIMEOUT] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		if (poll(pfd, NR_PFDS + vm->nr_watches, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll: %s", strerror(errno));
			vm_stop(vm, LKVM_EXIT_ERROR, NULL);
			return;
		}
		if (pfd[PFD_STOP].revents)
			return;
		if (pfd[PFD_SIGNAL].revents)
			handle_signal(vm, sigfd);
		if (pfd[PFD_TIMEOUT].revents) {
			pr_notice("--timeout %u s expired: stopping the VM", vm->cfg->timeout_s);
			vm_stop(vm, LKVM_EXIT_TIMEOUT, NULL);
		}
		if (pfd[PFD_READY].revents) {
			drain_eventfd(vm->console_ready_fd);
			feed_console(vm, &in);
		}
		if (pfd[PFD_INPUT].revents & (POLLIN | POLLHUP | POLLERR))
			read_input(vm, t, &in);
		else if (pfd[PFD_INPUT].revents & POLLNVAL)
			in.fd = -1;
		serve_watches(vm, pfd + NR_PFDS);
	}
}

static bool restart_wanted(struct vm *vm)
{
	return vm->exit_status == LKVM_EXIT_RESET && vm->cfg->reboot == REBOOT_RESTART &&
	       !vm->stop_err.msg[0];
}

/* One boot of the guest: vcpu threads up, serve until something stops the VM, threads down. */
static void run_once(struct vm *vm, struct term *t, int sigfd, int tfd)
{
	struct err e = { 0 };

	if (start_vcpus(vm, &e))
		vm_stop(vm, LKVM_EXIT_ERROR, &e);
	else
		serve(vm, t, sigfd, tfd);
	vm_kick_vcpus(vm);
	join_vcpus(vm);
}

int vm_run(struct vm *vm, struct err *e)
{
	struct term t = { 0 };
	int sigfd = -1, tfd = -1, ret;

	ret = setup_signals(&sigfd, e);
	if (!ret)
		ret = arm_timeout(vm->cfg->timeout_s, &tfd, e);
	if (ret)
		goto out;
	if (term_raw(&t))
		pr_warn("cannot put the terminal in raw mode; line-buffered console input");
	run_once(vm, &t, sigfd, tfd);
	while (!ret && restart_wanted(vm)) {
		ret = vm_reboot(vm, e);
		if (!ret)
			run_once(vm, &t, sigfd, tfd);
	}
	term_restore(&t);
out:
	if (sigfd >= 0)
		close(sigfd);
	if (tfd >= 0)
		close(tfd);
	if (ret)
		return ret;

	if (vm->stop_err.msg[0]) {
		*e = vm->stop_err;
		return -(e->errnum ? e->errnum : EIO);
	}
	return vm->exit_status;
}
