/* virtio_mmio.c: the virtio-mmio (version 2) transport: registers, feature and queue setup, kicks and interrupts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/virtio.h"
#include "vmm/log.h"

/* Register map (virtio 1.2, 4.2.2). */
enum {
	VM_MAGIC = 0x000, VM_VERSION = 0x004, VM_DEVICE_ID = 0x008, VM_VENDOR_ID = 0x00c,
	VM_DEV_FEATURES = 0x010, VM_DEV_FEATURES_SEL = 0x014,
	VM_DRV_FEATURES = 0x020, VM_DRV_FEATURES_SEL = 0x024,
	VM_QUEUE_SEL = 0x030, VM_QUEUE_NUM_MAX = 0x034, VM_QUEUE_NUM = 0x038,
	VM_QUEUE_READY = 0x044, VM_QUEUE_NOTIFY = 0x050,
	VM_INT_STATUS = 0x060, VM_INT_ACK = 0x064, VM_STATUS = 0x070,
	VM_QUEUE_DESC_LO = 0x080, VM_QUEUE_DESC_HI = 0x084,
	VM_QUEUE_DRIVER_LO = 0x090, VM_QUEUE_DRIVER_HI = 0x094,
	VM_QUEUE_DEVICE_LO = 0x0a0, VM_QUEUE_DEVICE_HI = 0x0a4,
	VM_SHM_SEL = 0x0ac, VM_SHM_LEN_LO = 0x0b0, VM_SHM_LEN_HI = 0x0b4,
	VM_CONFIG_GENERATION = 0x0fc, VM_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC	0x74726976	/* "virt" */
#define VIRTIO_VENDOR_LKVM	0x4d564b4c	/* "LKVM" */
#define INT_USED_BUFFER		1
#define INT_CONFIG_CHANGE	2

struct notify_watch {
	struct virtio_dev *vd;
	unsigned q;
	int fd;
};

/* Per-instance transport state plus the eventfds KVM signals for queue kicks. */
struct vmmio {
	struct virtio_dev vd;
	struct notify_watch kick[VIRTIO_MAX_QUEUES];
};

static uint64_t offered_features(const struct virtio_dev *vd)
{
	return vd->features | (1ULL << VIRTIO_F_VERSION_1);
}

bool virtio_has_feature(const struct virtio_dev *vd, unsigned bit)
{
	return bit < 64 && (vd->driver_features >> bit) & 1;
}

const struct gmem *virtio_mem(const struct virtio_dev *vd)
{
	return vd->dev->host->mem;
}

static void raise_interrupt(struct virtio_dev *vd, uint32_t why)
{
	const struct device_host *h = vd->dev->host;
	uint64_t one = 1;

	vd->isr |= why;
	/* Edge-triggered SPI (see fdt/): an irqfd write or a 1-0 pulse on the line. */
	if (vd->irq_fd >= 0 && write(vd->irq_fd, &one, sizeof(one)) == sizeof(one))
		return;
	h->set_irq(h->ctx, vd->dev->spi, 1);
	h->set_irq(h->ctx, vd->dev->spi, 0);
}

void virtio_notify(struct virtio_dev *vd, unsigned q)
{
	if (q < VIRTIO_MAX_QUEUES && vq_should_notify(&vd->vq[q]))
		raise_interrupt(vd, INT_USED_BUFFER);
}

void virtio_broken(struct virtio_dev *vd, const char *why)
{
	unsigned q;

	if (!vd->broken_logged)
		pr_warn("%s@0x%llx: guest driver error: %s; device needs reset", vd->type->name,
			(unsigned long long)vd->dev->base, why);
	vd->broken_logged = true;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vd->vq[q].ready = false;
	vd->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (vd->status & VIRTIO_STATUS_DRIVER_OK)
		raise_interrupt(vd, INT_CONFIG_CHANGE);
}

void virtio_process_queue(struct virtio_dev *vd, unsigned q, virtio_chain_fn *handle)
{
	struct virtqueue *vq = &vd->vq[q];
	struct vq_chain chain;
	const char *why = NULL;
	bool pushed = false;
	uint32_t written;
	int ret;

	while ((ret = vq_pop(vq, virtio_mem(vd), &chain, &why)) > 0) {
		written = 0;
		if (handle(vd, &chain, &written, &why) < 0) {
			ret = -1;
			break;
		}
		vq_push(vq, chain.head, written);
		pushed = true;
	}
	if (ret < 0)
		virtio_broken(vd, why);
	if (pushed)
		virtio_notify(vd, q);
}

void virtio_console_ready(struct virtio_dev *vd)
{
	const struct device_host *h = vd->dev->host;

	h->console_ready(h->ctx);
}

static void fd_ready_cb(void *arg)
{
	struct virtio_dev *vd = arg;

	pthread_mutex_lock(&vd->dev->lock);
	vd->type->fd_ready(vd);
	pthread_mutex_unlock(&vd->dev->lock);
}

int virtio_watch_fd(struct virtio_dev *vd, int fd, struct err *e)
{
	const struct device_host *h = vd->dev->host;

	return h->watch(h->ctx, fd, fd_ready_cb, vd, e);
}

static void reset_device(struct virtio_dev *vd)
{
	unsigned q;

	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vq_reset(&vd->vq[q]);
	vd->status = 0;
	vd->driver_features = 0;
	vd->dev_features_sel = vd->drv_features_sel = vd->queue_sel = 0;
	vd->isr = 0;
	vd->broken_logged = false;
	if (vd->type->reset)
		vd->type->reset(vd);
}

static void queue_kick(struct virtio_dev *vd, unsigned q)
{
	if (q < vd->type->nr_queues && vd->vq[q].ready && !(vd->status & VIRTIO_STATUS_NEEDS_RESET))
		vd->type->queue_notify(vd, q);
}

static struct virtqueue *cur_vq(struct virtio_dev *vd)
{
	return vd->queue_sel < vd->type->nr_queues ? &vd->vq[vd->queue_sel] : NULL;
}

static uint32_t read_reg(struct virtio_dev *vd, uint64_t off)
{
	struct virtqueue *vq = cur_vq(vd);
	uint64_t feat = offered_features(vd);

	switch (off) {
	case VM_MAGIC: return VIRTIO_MMIO_MAGIC;
	case VM_VERSION: return 2;
	case VM_DEVICE_ID: return vd->type->device_id;
	case VM_VENDOR_ID: return VIRTIO_VENDOR_LKVM;
	case VM_DEV_FEATURES: return vd->dev_features_sel < 2 ? feat >> (32 * vd->dev_features_sel) : 0;
	case VM_QUEUE_NUM_MAX: return vq ? VQ_MAX_SIZE : 0;
	case VM_QUEUE_READY: return vq ? vq->ready : 0;
	case VM_INT_STATUS: return vd->isr;
	case VM_STATUS: return vd->status;
	case VM_SHM_LEN_LO: case VM_SHM_LEN_HI: return ~0U;	/* no shared memory regions */
	case VM_CONFIG_GENERATION: return vd->config_generation;
	default: return 0;
	}
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	*v = high ? (*v & 0xffffffffULL) | ((uint64_t)val << 32) : (*v & ~0xffffffffULL) | val;
}

static void write_status(struct virtio_dev *vd, uint32_t val)
{
	uint64_t drv = vd->driver_features;

	if (val == 0) {
		reset_device(vd);
		return;
	}
	/* FEATURES_OK sticks only for a subset of what we offer that includes VERSION_1 (2.2). */
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    ((drv & ~offered_features(vd)) || !(drv >> VIRTIO_F_VERSION_1 & 1)))
		val &= ~VIRTIO_STATUS_FEATURES_OK;
	vd->status = val | (vd->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void write_queue_ready(struct virtio_dev *vd, struct virtqueue *vq, uint32_t val)
{
	const char *why;

	if (!val) {
		vq->ready = false;
		return;
	}
	why = vq_enable(vq, virtio_mem(vd));
	if (why)
		virtio_broken(vd, why);
}

static void write_queue_reg(struct virtio_dev *vd, uint64_t off, uint32_t val)
{
	struct virtqueue *vq = cur_vq(vd);

	/* Queue layout is frozen while the queue is live (4.2.3.2). */
	if (!vq || (vq->ready && off != VM_QUEUE_READY))
		return;
	switch (off) {
	case VM_QUEUE_NUM: vq->num = val; return;
	case VM_QUEUE_READY: write_queue_ready(vd, vq, val); return;
	case VM_QUEUE_DESC_LO: case VM_QUEUE_DESC_HI:
		set_half(&vq->desc_gpa, off == VM_QUEUE_DESC_HI, val);
		return;
	case VM_QUEUE_DRIVER_LO: case VM_QUEUE_DRIVER_HI:
		set_half(&vq->avail_gpa, off == VM_QUEUE_DRIVER_HI, val);
		return;
	case VM_QUEUE_DEVICE_LO: case VM_QUEUE_DEVICE_HI:
		set_half(&vq->used_gpa, off == VM_QUEUE_DEVICE_HI, val);
		return;
	}
}

static void write_reg(struct virtio_dev *vd, uint64_t off, uint32_t val)
{
	switch (off) {
	case VM_DEV_FEATURES_SEL: vd->dev_features_sel = val; return;
	case VM_DRV_FEATURES_SEL: vd->drv_features_sel = val; return;
	case VM_DRV_FEATURES:
		if (vd->drv_features_sel < 2 && !(vd->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&vd->driver_features, vd->drv_features_sel == 1, val);
		return;
	case VM_QUEUE_SEL: vd->queue_sel = val; return;
	case VM_QUEUE_NOTIFY: queue_kick(vd, val); return;
	case VM_INT_ACK: vd->isr &= ~val; return;
	case VM_STATUS: write_status(vd, val); return;
	default: write_queue_reg(vd, off, val); return;
	}
}

static void config_access(struct virtio_dev *vd, uint64_t off, uint8_t *data, unsigned len,
			  bool is_write)
{
	if (off > vd->type->config_size || len > vd->type->config_size - off)
		return;
	if (!is_write)
		memcpy(data, vd->config + off, len);
	else if (vd->type->config_write)
		vd->type->config_write(vd, off, data, len);
}

static void vmmio_mmio(struct device *dev, uint64_t off, uint8_t *data, unsigned len,
		       bool is_write)
{
	struct virtio_dev *vd = dev->priv;
	uint32_t val;

	if (off >= VM_CONFIG) {
		config_access(vd, off - VM_CONFIG, data, len, is_write);
		return;
	}
	/* Transport registers are 32-bit and aligned (4.2.2.2); ignore anything else. */
	if (len != 4 || off % 4)
		return;
	if (!is_write) {
		val = read_reg(vd, off);
		memcpy(data, &val, 4);
		return;
	}
	memcpy(&val, data, 4);
	write_reg(vd, off, val);
}

static void kick_cb(void *arg)
{
	struct notify_watch *w = arg;
	uint64_t n;

	if (read(w->fd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&w->vd->dev->lock);
	queue_kick(w->vd, w->q);
	pthread_mutex_unlock(&w->vd->dev->lock);
}

/* Queue kicks through KVM_IOEVENTFD and interrupts through KVM_IRQFD where KVM has them. */
static int setup_eventfds(struct vmmio *m, struct err *e)
{
	struct device *dev = m->vd.dev;
	const struct device_host *h = dev->host;
	unsigned q;

	m->vd.irq_fd = h->irqfd(h->ctx, dev->spi, NULL);
	for (q = 0; q < m->vd.type->nr_queues; q++) {
		struct notify_watch *w = &m->kick[q];
		int ret;

		w->vd = &m->vd;
		w->q = q;
		w->fd = h->ioeventfd(h->ctx, dev->base + VM_QUEUE_NOTIFY, q, NULL);
		if (w->fd < 0)
			continue;	/* kicks arrive as MMIO exits instead */
		ret = h->watch(h->ctx, w->fd, kick_cb, w, e);
		if (ret)
			return ret;
	}
	return 0;
}

static int vmmio_init(struct device *dev, struct err *e)
{
	struct vmmio *m = calloc(1, sizeof(*m));
	unsigned q;
	int ret;

	if (!m)
		return err_set(e, ENOMEM, "out of memory");
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		m->kick[q].fd = -1;
	m->vd.dev = dev;
	m->vd.type = dev->type;
	m->vd.features = m->vd.type->features;
	m->vd.irq_fd = -1;
	dev->priv = &m->vd;
	ret = m->vd.type->init ? m->vd.type->init(&m->vd, dev->arg, e) : 0;
	if (!ret)
		ret = setup_eventfds(m, e);
	return ret;
}

static void vmmio_reset(struct device *dev)
{
	reset_device(dev->priv);
}

static void vmmio_teardown(struct device *dev)
{
	struct vmmio *m = dev->priv;
	unsigned q;

	if (!m)
		return;
	if (m->vd.type->teardown)
		m->vd.type->teardown(&m->vd);
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (m->kick[q].fd >= 0)
			close(m->kick[q].fd);
	if (m->vd.irq_fd >= 0)
		close(m->vd.irq_fd);
	free(m);
	dev->priv = NULL;
}

static size_t vmmio_console_in(struct device *dev, const uint8_t *buf, size_t len)
{
	struct virtio_dev *vd = dev->priv;

	return vd->type->console_in ? vd->type->console_in(vd, buf, len) : 0;
}

const struct device_ops virtio_mmio_ops = {
	.name = "virtio-mmio",
	.dt_kind = DT_DEV_VIRTIO_MMIO,
	.compatible = "virtio,mmio",
	.mmio_size = 0x200,
	.init = vmmio_init,
	.mmio = vmmio_mmio,
	.reset = vmmio_reset,
	.teardown = vmmio_teardown,
	.console_in = vmmio_console_in,
};
