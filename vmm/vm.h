/* vm.h: struct vm and struct vcpu, the explicit state of one virtual machine, and its lifecycle. */
#ifndef LKVM_VM_H
#define LKVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "devices/device.h"
#include "pmu/vpmu.h"
#include "vmm/config.h"
#include "vmm/control.h"
#include "vmm/err.h"
#include "vmm/gmem.h"
#include "vmm/resources.h"
#include "vmm/stats.h"

struct arch_vm;
struct vm;

#define VM_MAX_WATCHES 64
#define VM_PAUSE_TIMEOUT_MS 2000	/* vm_pause() waits this long for every vcpu to park */

/* An fd the main loop polls for a device (ioeventfds, taps). */
struct vm_watch {
	int fd;
	void (*cb)(void *arg);
	void *arg;
};

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	uint64_t mpidr;
	pthread_t thread;
	bool started;			/* the thread exists (main thread only) */
	pid_t tid;			/* the thread's id once it runs (atomic access), for /proc */
	struct vcpu_place place;	/* where the thread was when it ended */
	struct stats_file stats;	/* KVM_GET_STATS_FD of this vcpu */
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd, vm_fd;
	size_t run_size;		/* KVM_GET_VCPU_MMAP_SIZE */

	struct gmem mem;		/* guest RAM */

	unsigned nr_vcpus;
	struct vcpu *vcpus;

	struct resources res;
	struct device_host host;
	unsigned nr_devs;
	struct device devs[DT_MAX_DEVICES];
	struct device *console;
	unsigned nr_watches;
	struct vm_watch watches[VM_MAX_WATCHES];	/* filled before vm_run() */

	struct arch_vm *arch;
	struct vpmu vpmu;		/* guest PMU and vcpu thread placement */

	int stop_fd;			/* eventfd: a vcpu thread asks main to stop the VM */
	int console_ready_fd;		/* eventfd: the console can take input again */
	int out_fd;			/* where guest console output goes */
	int log_fd;			/* --console-log, or -1 */

	pthread_mutex_t stop_lock;	/* guards the five below; pause_cond waits on it */
	bool stopping;
	int exit_status;
	struct err stop_err;		/* why a vcpu thread stopped the VM, if an error */
	bool paused;			/* the control socket paused the vcpus */
	unsigned nr_parked;		/* vcpu threads waiting on pause_cond while paused */
	pthread_cond_t pause_cond;	/* CLOCK_MONOTONIC: pause, resume, stop and parking */

	struct control ctl;		/* the control socket */
	struct stats_file stats;	/* KVM_GET_STATS_FD of the VM, fd -1 without */
	struct err stats_err;		/* why there are no KVM statistics */

	atomic_bool unclaimed_logged;
};

/*
 * Contract: vm_create() builds a complete, not yet running VM from cfg (which
 * must outlive it) or fails with *e set; vm_run() starts the vcpus, serves the
 * console until the VM stops and returns the exit status (enum lkvm_exit or a
 * guest-chosen one), with *e set when the stop was an error; vm_destroy()
 * releases whatever exists, after either.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg, const char *sysfs_root, struct err *e);
int vm_run(struct vm *vm, struct err *e);
void vm_destroy(struct vm *vm);

/*
 * The one way from a guest physical range to host memory: NULL unless
 * [gpa, gpa + len) lies wholly inside guest RAM (no overflow).
 */
void *vm_gpa_to_host(const struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * Guest reset with --reboot restart, called by vm_run() once every vcpu
 * thread has stopped: vcpus re-initialised, RAM zeroed, devices reset,
 * kernel, initrd and DTB loaded again.
 */
int vm_reboot(struct vm *vm, struct err *e);

/* Ends the VM with status (first caller wins); err may be NULL. Safe from any thread. */
void vm_stop(struct vm *vm, int status, const struct err *err);

/*
 * Has every started vcpu thread leave KVM_RUN soon: immediate_exit, which
 * closes the race with a thread about to enter it (KVM API 5), and SIGUSR1,
 * which interrupts one inside.  Main thread.
 */
void vm_kick_vcpus(struct vm *vm);

/*
 * Pause and resume, from the main thread.  vm_pause() kicks the vcpus out
 * of KVM_RUN and returns once each started vcpu thread is parked on
 * pause_cond (0), or -ETIMEDOUT after VM_PAUSE_TIMEOUT_MS (they park
 * later), or -ECANCELED when the VM is stopping; pausing a paused VM is
 * a no-op.  vm_stop() wakes parked threads, which then end; the main loop
 * (--timeout, signals, the control socket) runs on while paused.
 */
int vm_pause(struct vm *vm, struct err *e);
void vm_resume(struct vm *vm);
bool vm_paused(struct vm *vm);

/* Has the main loop call cb(arg) whenever fd is readable; before vm_run() only. */
int vm_watch_fd(struct vm *vm, int fd, void (*cb)(void *arg), void *arg, struct err *e);

/* A guest MMIO access, dispatched to the device that owns addr. */
void vm_mmio(struct vm *vm, uint64_t addr, uint8_t *data, unsigned len, bool is_write);

/* vcpu.c: the vcpu thread body. */
void *vcpu_thread(void *arg);

#endif
