/* fdt.h: the machine description the device tree is built from, and the pure builder over it (libfdt, no KVM). */
#ifndef LKVM_FDT_H
#define LKVM_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/err.h"

enum dt_dev_kind { DT_DEV_UART16550, DT_DEV_VIRTIO_MMIO, DT_DEV_EXIT };

struct dt_device {
	enum dt_dev_kind kind;
	const char *compatible;
	uint64_t base, size;
	unsigned spi;		/* GIC SPI number (INTID - 32) */
};

enum dt_gic { DT_GICV2, DT_GICV3 };

#define DT_MAX_DEVICES 32

/*
 * Everything the guest is told.  vmm/ fills in RAM, CPUs, devices and
 * chosen; arm64/ fills in the GIC and PMU (arch_describe()).
 */
struct dt_desc {
	unsigned nr_cpus;
	const uint64_t *mpidr;		/* nr_cpus MPIDR_EL1 values, read from KVM */
	uint64_t ram_base, ram_size;

	enum dt_gic gic;
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size;	/* GICv3 redistributors */
	uint64_t gicc_base, gicc_size;	/* GICv2 CPU interface */

	bool pmu;
	unsigned pmu_intid;		/* PPI INTID, 16..31 */

	const char *bootargs;
	uint64_t initrd_start, initrd_end;	/* [start, end); both 0: none */
	int stdout_dev;			/* index into devs, -1: none */

	unsigned nr_devs;
	struct dt_device devs[DT_MAX_DEVICES];
};

/* Writes a complete DTB for *d into buf (at most size bytes). Returns its total size or -errno. */
int fdt_build(const struct dt_desc *d, void *buf, size_t size, struct err *e);

#endif
