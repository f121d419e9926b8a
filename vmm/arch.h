/* arch.h: everything generic code needs from the architecture; arm64/ implements it, its state stays opaque. */
#ifndef LKVM_ARCH_H
#define LKVM_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "fdt/fdt.h"
#include "vmm/err.h"

struct vm;
struct vcpu;

/*
 * Call order (vmm/vm.c): arch_vm_type → KVM_CREATE_VM → RAM →
 * arch_vm_init → arch_vcpu_init (each vcpu) → arch_vcpus_ready →
 * arch_load_images → arch_describe → arch_boot → threads run.
 * arch_vm_destroy undoes whatever of it happened.
 */

/* The fixed facts of the architecture's guest memory map the core needs. */
struct arch_limits {
	uint64_t ram_base;
	uint64_t mmio_base, mmio_end;	/* where device MMIO windows are handed out */
	unsigned nr_spis;		/* device interrupt lines */
	unsigned max_vcpus;		/* that the memory map leaves room for */
	/* Default kernel command line with the serial console, and with the virtio one. */
	const char *cmdline_serial, *cmdline_virtio;
};

extern const struct arch_limits arch_limits;

/* The KVM_CREATE_VM type for a VM whose IPA space must reach ipa_end. */
int arch_vm_type(int kvm_fd, uint64_t ipa_end, unsigned long *type, struct err *e);

/* Allocates vm->arch; creates the in-kernel interrupt controller (vcpus do not exist yet). */
int arch_vm_init(struct vm *vm, struct err *e);

/* After KVM_CREATE_VCPU: KVM_ARM_VCPU_INIT with the VM's features; fills vcpu->mpidr. */
int arch_vcpu_init(struct vm *vm, struct vcpu *vcpu, struct err *e);

/* Guest reset (--reboot restart): the vcpu back to its power-on state, features unchanged. */
int arch_vcpu_reset(struct vm *vm, struct vcpu *vcpu, struct err *e);

/* After every vcpu exists: finishes the interrupt controller (and PMU) initialisation. */
int arch_vcpus_ready(struct vm *vm, struct err *e);

/* Loads kernel and initrd into guest RAM and remembers where they and the DTB go. */
int arch_load_images(struct vm *vm, struct err *e);

/* Fills the arch-owned parts of the description: GIC, PMU, initrd range. */
void arch_describe(const struct vm *vm, struct dt_desc *d);

/* Copies the DTB into guest RAM and sets vcpu 0's boot registers (x0 = DTB, PC = entry). */
int arch_boot(struct vm *vm, const void *fdt, size_t fdt_size, struct err *e);

/* Drives SPI spi (0-based) of the in-kernel GIC to level. */
int arch_set_spi(struct vm *vm, unsigned spi, int level, struct err *e);

/* Largest vcpu count the arch supports for this VM's interrupt controller. */
unsigned arch_max_vcpus(const struct vm *vm);

void arch_vm_destroy(struct vm *vm);

#endif
