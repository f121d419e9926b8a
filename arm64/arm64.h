/* arm64.h: arm64-private state (struct arch_vm) shared by the files of arm64/. */
#ifndef LKVM_ARM64_H
#define LKVM_ARM64_H

#include <string.h>

#include "arm64/image.h"
#include "vmm/arch.h"
#include "vmm/vm.h"

struct arch_vm {
	enum dt_gic gic;
	int gic_fd;
	uint64_t gicr_base, gicr_size;
	struct kernel_info kernel;
	struct boot_layout boot;
};

/* gic.c: create before the vcpus, gic_init() after all of them. */
int gic_create(struct vm *vm, struct arch_vm *a, struct err *e);
int gic_init(struct arch_vm *a, struct err *e);

#endif
