/* device.h: the contract between the VMM and an emulated MMIO device (one file, one static const ops table each). */
#ifndef LKVM_DEVICE_H
#define LKVM_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fdt/fdt.h"
#include "vmm/err.h"
#include "vmm/gmem.h"

/*
 * What a device may ask of the VMM.  Devices never call KVM or libfdt
 * themselves: interrupts and console bytes go through these callbacks.
 */
struct device_host {
	void *ctx;
	const struct gmem *mem;		/* guest RAM, for DMA-style devices */
	/* Drive the device's SPI line to level (0/1); level-triggered. */
	void (*set_irq)(void *ctx, unsigned spi, int level);
	/* Guest console output. */
	void (*console_out)(void *ctx, const uint8_t *buf, size_t len);
	/* The device can take console input again (its receive buffer drained). */
	void (*console_ready)(void *ctx);
	/*
	 * An eventfd KVM signals when the guest writes the 32-bit value match
	 * at guest physical address addr (KVM_IOEVENTFD), or -errno when KVM
	 * cannot; such writes then arrive through mmio() as usual.
	 */
	int (*ioeventfd)(void *ctx, uint64_t addr, uint32_t match, struct err *e);
	/* An eventfd whose every write pulses SPI spi (KVM_IRQFD), or -errno. */
	int (*irqfd)(void *ctx, unsigned spi, struct err *e);
	/* Has the main loop call cb(arg) whenever fd is readable. */
	int (*watch)(void *ctx, int fd, void (*cb)(void *arg), void *arg, struct err *e);
	/* The guest asked, through the device, to end the VM with status. */
	void (*guest_exit)(void *ctx, int status);
};

struct device;

struct device_ops {
	const char *name;
	enum dt_dev_kind dt_kind;	/* how fdt/ describes it */
	const char *compatible;
	uint64_t mmio_size;
	/* Optional: allocates dev->priv.  On failure teardown() still runs. */
	int (*init)(struct device *dev, struct err *e);
	/*
	 * A guest access of len (1, 2, 4 or 8) bytes at offset into the window.
	 * Called with dev->lock held.  Reads fill data (zeroed beforehand).
	 */
	void (*mmio)(struct device *dev, uint64_t offset, uint8_t *data, unsigned len,
		     bool is_write);
	/* Optional: back to power-on state (guest reboot with --reboot restart). */
	void (*reset)(struct device *dev);
	/* Optional: frees what init() made, also after a failed init(). */
	void (*teardown)(struct device *dev);
	/*
	 * Optional, for consoles: accepts up to len bytes of input, returns how
	 * many it took.  Called with dev->lock held.
	 */
	size_t (*console_in)(struct device *dev, const uint8_t *buf, size_t len);
};

struct device {
	const struct device_ops *ops;
	const void *type;	/* per-kind type table (virtio: struct virtio_type_ops) */
	const char *arg;	/* instance argument from the command line, e.g. a disk spec */
	uint64_t base, size;
	unsigned spi;
	const struct device_host *host;
	pthread_mutex_t lock;	/* serialises vcpu MMIO with other entry points */
	void *priv;
};

#endif
