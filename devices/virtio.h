/* virtio.h: the contract between the virtio-mmio transport and a virtio device type (blk, console, rng, net). */
#ifndef LKVM_VIRTIO_H
#define LKVM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"
#include "devices/virtqueue.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_CONFIG_MAX	64
#define VIRTIO_F_VERSION_1	32

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

struct virtio_dev;

/*
 * A virtio device type.  Every callback runs with the device lock held, in
 * the thread that delivered the event (a vcpu thread or the main loop).
 */
struct virtio_type_ops {
	const char *name;
	uint32_t device_id;		/* virtio 1.2, 5 */
	uint64_t features;		/* device feature bits of every instance (vd->features starts so) */
	unsigned nr_queues;
	size_t config_size;		/* bytes of vd->config the driver may read */
	/* Optional: sets up vd->priv and vd->config from the instance argument (e.g. a disk spec). */
	int (*init)(struct virtio_dev *vd, const char *arg, struct err *e);
	/* The driver kicked queue q. */
	void (*queue_notify)(struct virtio_dev *vd, unsigned q);
	/* Driver wrote device config (optional; most types are read-only). */
	void (*config_write)(struct virtio_dev *vd, uint64_t offset, const uint8_t *data,
			     unsigned len);
	/* Device reset by the driver (status 0): drop in-flight state. */
	void (*reset)(struct virtio_dev *vd);
	void (*teardown)(struct virtio_dev *vd);
	/* Optional console input, as device_ops.console_in. */
	size_t (*console_in)(struct virtio_dev *vd, const uint8_t *buf, size_t len);
	/* Optional: an fd of the device's own (e.g. a tap) became readable. */
	void (*fd_ready)(struct virtio_dev *vd);
};

/* Transport state of one virtio-mmio device instance. */
struct virtio_dev {
	struct device *dev;
	const struct virtio_type_ops *type;
	uint32_t status;
	uint64_t features;		/* offered: type->features, init() may add (e.g. blk RO); plus VERSION_1 */
	uint64_t driver_features;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint32_t isr;
	uint32_t config_generation;
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	uint8_t config[VIRTIO_CONFIG_MAX];
	bool broken_logged;
	int irq_fd;			/* irqfd, or -1: pulse the line through the host */
	void *priv;
};

/* The driver accepted feature bit (after FEATURES_OK). */
bool virtio_has_feature(const struct virtio_dev *vd, unsigned bit);

/* After vq_push()es on queue q: raise the used-buffer interrupt if the driver wants it. */
void virtio_notify(struct virtio_dev *vd, unsigned q);

/* The guest broke the virtio rules: set DEVICE_NEEDS_RESET, log why once, stop using the device. */
void virtio_broken(struct virtio_dev *vd, const char *why);

/*
 * Handles one popped chain for virtio_process_queue(): returns 0 with
 * *written set to the bytes it wrote into the chain's writable buffers, or -1
 * with *why set when the chain breaks the device's rules.
 */
typedef int virtio_chain_fn(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *written,
			    const char **why);

/*
 * Pops every available chain of queue q, lets handle() serve it and pushes it
 * back; a malformed ring or a -1 from handle() marks the device broken.  One
 * interrupt at the end covers every chain used (2.7.14).
 */
void virtio_process_queue(struct virtio_dev *vd, unsigned q, virtio_chain_fn *handle);

/* Guest memory, for vq_pop(). */
const struct gmem *virtio_mem(const struct virtio_dev *vd);

/* Registers fd so fd_ready() is called when it is readable (the main loop watches it). */
int virtio_watch_fd(struct virtio_dev *vd, int fd, struct err *e);

/* The console can take input again (e.g. the driver added receive buffers). */
void virtio_console_ready(struct virtio_dev *vd);

#endif
