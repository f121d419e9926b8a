/* devices.h: the explicit table of devices an lkvm VM can have. */
#ifndef LKVM_DEVICES_H
#define LKVM_DEVICES_H

#include "devices/device.h"
#include "vmm/config.h"

extern const struct device_ops uart16550_ops;

/* One row per device instance a VM gets; fixed_base 0 = take a window from the allocator. */
struct device_slot {
	const struct device_ops *ops;
	uint64_t fixed_base;
	bool is_console;
	bool (*wanted)(const struct vm_config *cfg);	/* NULL: always */
};

extern const struct device_slot device_table[];
extern const unsigned device_table_len;

#endif
