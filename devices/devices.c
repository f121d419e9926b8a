/* devices.c: the table of every device lkvm can give a guest, in DT and probe order. */
#include "arm64/layout.h"
#include "devices/devices.h"

static unsigned want_rng(const struct vm_config *cfg)
{
	return cfg->rng;
}

const struct device_slot device_table[] = {
	{ .ops = &uart16550_ops, .fixed_base = LAYOUT_UART_BASE,
	  .has_console = true, .console = CONSOLE_SERIAL },
	{ .ops = &exit_dev_ops, .fixed_base = LAYOUT_EXIT_BASE },
	{ .ops = &virtio_mmio_ops, .type = &virtio_rng_type, .count = want_rng },
};

const unsigned device_table_len = sizeof(device_table) / sizeof(device_table[0]);
