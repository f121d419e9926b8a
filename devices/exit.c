/* exit.c: the exit device: a guest writes a 32-bit status at offset 0 and lkvm exits with it (for scripted boots). */
#include "devices/devices.h"

#define EXIT_REG_STATUS	0x0
#define EXIT_REG_MAGIC	0x4	/* reads "LKVX", so a guest can probe for the device */
#define EXIT_MAGIC	0x58564b4c

static void exit_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned len,
		      bool is_write)
{
	uint32_t v = 0;
	unsigned i;

	if (len != 4 || offset % 4)
		return;
	if (!is_write) {
		v = offset == EXIT_REG_MAGIC ? EXIT_MAGIC : 0;
		for (i = 0; i < 4; i++)
			data[i] = v >> (8 * i);
		return;
	}
	if (offset != EXIT_REG_STATUS)
		return;
	for (i = 0; i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	/* Exit statuses are 8 bits wide; larger values would wrap silently, so clamp them. */
	dev->host->guest_exit(dev->host->ctx, v > 255 ? 255 : (int)v);
}

const struct device_ops exit_dev_ops = {
	.name = "exit",
	.dt_kind = DT_DEV_EXIT,
	.compatible = "lkvm,exit",
	.mmio_size = 0x1000,
	.mmio = exit_mmio,
};
