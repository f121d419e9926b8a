/* virtio_console.c: virtio console (virtio 1.2, 5.3) with a single port, the guest's hvc0. */
#include "devices/virtio.h"

#define VIRTIO_ID_CONSOLE	3

/* Without VIRTIO_CONSOLE_F_MULTIPORT only port 0's two queues exist (5.3.2). */
#define RECEIVEQ		0	/* host to guest */
#define TRANSMITQ		1	/* guest to host */

static int console_tx_chain(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *written,
			    const char **why)
{
	const struct device_host *h = vd->dev->host;
	unsigned i;

	(void)why;
	for (i = 0; i < c->nr_out; i++)
		h->console_out(h->ctx, c->out[i].ptr, c->out[i].len);
	*written = 0;
	return 0;
}

static void console_notify(struct virtio_dev *vd, unsigned q)
{
	if (q == TRANSMITQ)
		virtio_process_queue(vd, q, console_tx_chain);
	else
		virtio_console_ready(vd);	/* new receive buffers: pending input can go in */
}

/* Fills one receive chain; returns bytes taken, or -1 (device broken). */
static int64_t fill_rx_chain(struct virtio_dev *vd, const uint8_t *buf, size_t len)
{
	struct virtqueue *vq = &vd->vq[RECEIVEQ];
	struct vq_chain chain;
	const char *why;
	uint64_t n;
	int ret;

	ret = vq_pop(vq, virtio_mem(vd), &chain, &why);
	if (ret <= 0) {
		if (ret < 0)
			virtio_broken(vd, why);
		return ret;
	}
	if (!chain.in_len) {
		/* It would be used up without taking a byte: a driver spinning us. */
		virtio_broken(vd, "virtio-console receive buffer with no writable bytes");
		return -1;
	}
	n = vq_chain_write(&chain, 0, buf, len);
	vq_push(vq, chain.head, n);
	return n;
}

/* Host input: as much as the guest's posted receive buffers hold (5.3.6.1). */
static size_t console_in(struct virtio_dev *vd, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	int64_t n;

	while (done < len && (n = fill_rx_chain(vd, buf + done, len - done)) > 0)
		done += n;
	if (done)
		virtio_notify(vd, RECEIVEQ);
	return done;
}

const struct virtio_type_ops virtio_console_type = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.queue_notify = console_notify,
	.console_in = console_in,
};
