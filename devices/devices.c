/* devices.c: the table of every device lkvm can give a guest, in DT and probe order. */
#include "arm64/layout.h"
#include "devices/devices.h"

const struct device_slot device_table[] = {
	{ .ops = &uart16550_ops, .fixed_base = LAYOUT_UART_BASE, .is_console = true },
};

const unsigned device_table_len = sizeof(device_table) / sizeof(device_table[0]);
