/* vcpu.c: the vcpu thread: KVM_RUN and the dispatch of each exit reason. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/exit.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/*
 * Whether the vcpu may enter KVM_RUN again: false once the VM stops; while
 * it is paused, the thread parks here.  Clearing immediate_exit under
 * stop_lock, and only while not stopping, spends a pause kick's without
 * ever losing a stop kick's: vm_stop() sets stopping under the lock before
 * the main thread kicks (KVM API 5, kvm_run.immediate_exit).
 */
static bool vcpu_may_run(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool run;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->paused && !vm->stopping) {
		vm->nr_parked++;
		pthread_cond_broadcast(&vm->pause_cond);
		while (vm->paused && !vm->stopping)
			pthread_cond_wait(&vm->pause_cond, &vm->stop_lock);
		vm->nr_parked--;
	}
	run = !vm->stopping;
	if (run)
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->stop_lock);
	return run;
}

static void vcpu_fail(struct vcpu *vcpu, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vcpu_fail(struct vcpu *vcpu, int errnum, const char *fmt, ...)
{
	struct err e = { 0 };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errnum)
		err_sys(&e, errnum, "vcpu %u: %s", vcpu->id, msg);
	else
		err_set(&e, EIO, "vcpu %u: %s", vcpu->id, msg);
	vm_stop(vcpu->vm, LKVM_EXIT_ERROR, &e);
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
	vm_mmio(vcpu->vm, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
}

static void handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_stop(vcpu->vm, LKVM_EXIT_POWEROFF, NULL);
		return;
	case KVM_SYSTEM_EVENT_RESET:
		vm_stop(vcpu->vm, LKVM_EXIT_RESET, NULL);
		return;
	case KVM_SYSTEM_EVENT_CRASH:
		vm_stop(vcpu->vm, LKVM_EXIT_CRASH, NULL);
		return;
	default:
		vcpu_fail(vcpu, 0, "KVM_EXIT_SYSTEM_EVENT of unknown type %u",
			  vcpu->run->system_event.type);
	}
}

static void handle_fail_entry(struct vcpu *vcpu)
{
	const struct vpmu *v = &vcpu->vm->vpmu;
	uint64_t reason = vcpu->run->fail_entry.hardware_entry_failure_reason;
	unsigned cpu = vcpu->run->fail_entry.cpu;
	struct cpulist_buf b;

	/*
	 * arm64 KVM refuses to run a vcpu on a host CPU its PMU does not cover
	 * (KVM_EXIT_FAIL_ENTRY, KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED; KVM API 5).
	 */
	if ((reason & KVM_EXIT_FAIL_ENTRY_CPU_UNSUPPORTED) && v->have_plan) {
		vcpu_fail(vcpu, 0, "KVM_EXIT_FAIL_ENTRY: host CPU %u is not covered by its PMU %s (type %u, CPUs %s)",
			  cpu, v->plan.pmu.name, v->plan.pmu.type, cpulist_str(&v->plan.pmu.cpus, &b));
		return;
	}
	vcpu_fail(vcpu, 0, "KVM_EXIT_FAIL_ENTRY on host CPU %u, reason 0x%llx", cpu,
		  (unsigned long long)reason);
}

/* Returns false when the thread must end. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		handle_fail_entry(vcpu);
		return false;
	default:
		vcpu_fail(vcpu, 0, "KVM_RUN returned unhandled exit reason %u",
			  vcpu->run->exit_reason);
		return false;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	sigset_t kick;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	/* The stop kick (SIGUSR1) must interrupt KVM_RUN in this thread only. */
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	__atomic_store_n(&vcpu->tid, gettid(), __ATOMIC_RELEASE);
	if (log_get_level() >= LOG_DEBUG) {
		uint64_t now = log_monotonic_us();

		/* Startup cost as users feel it: bench/ reads this line. */
		pr_debug("vcpu %u: first KVM_RUN at +%llu us (CLOCK_MONOTONIC %llu us)", vcpu->id,
			 (unsigned long long)(now - vcpu->vm->cfg->t0_us), (unsigned long long)now);
	}
	while (vcpu_may_run(vcpu)) {
		int ret = kvm_ioctl_raw(vcpu->fd, KVM_RUN, NULL);

		if (ret == -EINTR || ret == -EAGAIN)
			continue;
		if (ret < 0) {
			vcpu_fail(vcpu, -ret, "KVM_RUN");
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	/* For --stats, which reports after the thread is gone. */
	stats_thread_place(0, &vcpu->place, NULL);
	return NULL;
}
