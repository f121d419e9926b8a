/* devices.c: the table of every device lkvm can give a guest, in DT and probe order. */
#include "arm64/layout.h"
#include "devices/devices.h"

static unsigned nr_disks(const struct vm_config *cfg)
{
	return cfg->nr_disks;
}

static const char *disk_arg(const struct vm_config *cfg, unsigned i)
{
	return cfg->disks[i];
}

static unsigned want_virtio_console(const struct vm_config *cfg)
{
	return cfg->console == CONSOLE_VIRTIO;
}

static unsigned want_rng(const struct vm_config *cfg)
{
	return cfg->rng;
}

static unsigned want_net(const struct vm_config *cfg)
{
	return cfg->network != NULL;
}

static const char *net_arg(const struct vm_config *cfg, unsigned i)
{
	(void)i;
	return cfg->network;
}

const struct device_slot device_table[] = {
	{ .ops = &uart16550_ops, .fixed_base = LAYOUT_UART_BASE,
	  .has_console = true, .console = CONSOLE_SERIAL },
	{ .ops = &exit_dev_ops, .fixed_base = LAYOUT_EXIT_BASE },
	{ .ops = &virtio_mmio_ops, .type = &virtio_console_type,
	  .has_console = true, .console = CONSOLE_VIRTIO, .count = want_virtio_console },
	{ .ops = &virtio_mmio_ops, .type = &virtio_blk_type, .count = nr_disks, .arg = disk_arg },
	{ .ops = &virtio_mmio_ops, .type = &virtio_rng_type, .count = want_rng },
	{ .ops = &virtio_mmio_ops, .type = &virtio_net_type, .count = want_net, .arg = net_arg },
};

const unsigned device_table_len = sizeof(device_table) / sizeof(device_table[0]);
