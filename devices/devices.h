/* devices.h: the explicit table of devices an lkvm VM can have. */
#ifndef LKVM_DEVICES_H
#define LKVM_DEVICES_H

#include "devices/device.h"
#include "vmm/config.h"

extern const struct device_ops uart16550_ops;
extern const struct device_ops virtio_mmio_ops;
extern const struct device_ops exit_dev_ops;

struct virtio_type_ops;
extern const struct virtio_type_ops virtio_blk_type;
extern const struct virtio_type_ops virtio_console_type;
extern const struct virtio_type_ops virtio_rng_type;
extern const struct virtio_type_ops virtio_net_type;

/*
 * One row per kind of device.  count() says how many instances cfg asks for
 * (NULL: exactly one), arg() gives instance i its command-line argument.
 * fixed_base 0 takes a window from the allocator.  The console device is the
 * row whose console kind matches cfg->console.
 */
struct device_slot {
	const struct device_ops *ops;
	const void *type;
	uint64_t fixed_base;
	bool has_console;
	enum console_kind console;
	unsigned (*count)(const struct vm_config *cfg);
	const char *(*arg)(const struct vm_config *cfg, unsigned i);
};

extern const struct device_slot device_table[];
extern const unsigned device_table_len;

#endif
