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
#include "vmm/err.h"
#include "vmm/gmem.h"
#include "vmm/resources.h"

struct arch_vm;
struct vm;

#define VM_MAX_WATCHES 64

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
	bool started;
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

	pthread_mutex_t stop_lock;	/* guards the three below */
	bool stopping;
	int exit_status;
	struct err stop_err;		/* why a vcpu thread stopped the VM, if an error */

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

/* A guest MMIO access, dispatched to the device that owns addr. */
void vm_mmio(struct vm *vm, uint64_t addr, uint8_t *data, unsigned len, bool is_write);

/* vcpu.c: the vcpu thread body. */
void *vcpu_thread(void *arg);

#endif
