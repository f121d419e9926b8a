/* virtio_rng.c: virtio entropy device (virtio 1.2, 5.4): fills the guest's buffers from getrandom(2). */
#include <errno.h>
#include <sys/random.h>

#include "devices/virtio.h"

#define VIRTIO_ID_RNG	4

/* getrandom() without GRND_RANDOM never blocks once the host pool is initialised. */
static int rng_chain(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *written,
		     const char **why)
{
	uint64_t done = 0;
	unsigned i;

	(void)vd;
	(void)why;
	for (i = 0; i < c->nr_in; i++) {
		ssize_t n = getrandom(c->in[i].ptr, c->in[i].len, 0);

		if (n < 0)
			break;
		done += n;
		if ((uint32_t)n < c->in[i].len)
			break;
	}
	*written = done > UINT32_MAX ? UINT32_MAX : done;
	return 0;
}

static void rng_notify(struct virtio_dev *vd, unsigned q)
{
	virtio_process_queue(vd, q, rng_chain);
}

const struct virtio_type_ops virtio_rng_type = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_notify = rng_notify,
};
