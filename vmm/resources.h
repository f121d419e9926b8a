/* resources.h: hands out device MMIO windows and GIC SPIs, so no two devices ever share one. */
#ifndef LKVM_RESOURCES_H
#define LKVM_RESOURCES_H

#include <stdint.h>

#include "vmm/err.h"

struct resources {
	uint64_t mmio_next, mmio_end;
	unsigned spi_next, spi_end;
};

void resources_init(struct resources *r, uint64_t mmio_base, uint64_t mmio_end, unsigned nr_spis);

/* A window of size bytes, aligned to size rounded up to a power of two (at least 4 KiB). */
int resources_alloc_mmio(struct resources *r, uint64_t size, uint64_t *base, struct err *e);

/* The next free SPI (0-based). */
int resources_alloc_spi(struct resources *r, unsigned *spi, struct err *e);

#endif
