/* resources.c: a bump allocator over the layout's device MMIO range and SPI range. */
#include <errno.h>

#include "vmm/resources.h"

void resources_init(struct resources *r, uint64_t mmio_base, uint64_t mmio_end, unsigned nr_spis)
{
	r->mmio_next = mmio_base;
	r->mmio_end = mmio_end;
	r->spi_next = 0;
	r->spi_end = nr_spis;
}

int resources_alloc_mmio(struct resources *r, uint64_t size, uint64_t *base, struct err *e)
{
	uint64_t align = 0x1000, start;

	while (align && align < size)
		align <<= 1;
	if (!align)
		return err_set(e, ENOSPC, "no room for a 0x%llx-byte MMIO window",
			       (unsigned long long)size);
	start = (r->mmio_next + align - 1) & ~(align - 1);
	if (!size || start < r->mmio_next || start > r->mmio_end || r->mmio_end - start < size)
		return err_set(e, ENOSPC, "no room for a 0x%llx-byte MMIO window",
			       (unsigned long long)size);
	*base = start;
	r->mmio_next = start + size;
	return 0;
}

int resources_alloc_spi(struct resources *r, unsigned *spi, struct err *e)
{
	if (r->spi_next >= r->spi_end)
		return err_set(e, ENOSPC, "out of interrupt lines (%u SPIs in use)", r->spi_end);
	*spi = r->spi_next++;
	return 0;
}
