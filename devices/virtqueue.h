/* virtqueue.h: the device side of a virtio 1.x split virtqueue over guest memory, distrusting every guest value. */
#ifndef LKVM_VIRTQUEUE_H
#define LKVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/gmem.h"

#define VQ_MAX_SIZE	256	/* QueueNumMax lkvm offers; also the longest chain it accepts */

/* Descriptor flags (virtio 1.2, 2.7.5). */
#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2
#define VQ_DESC_F_INDIRECT	4
#define VQ_AVAIL_F_NO_INTERRUPT	1

/* One descriptor of a chain, already translated and bounds-checked. */
struct vq_buf {
	uint8_t *ptr;
	uint32_t len;
};

/*
 * A popped chain: the device-readable buffers (out) then the device-writable
 * ones (in), as virtio requires them ordered.  Lengths are summed in 64 bits.
 */
struct vq_chain {
	uint16_t head;
	unsigned nr_out, nr_in;
	struct vq_buf out[VQ_MAX_SIZE];
	struct vq_buf in[VQ_MAX_SIZE];
	uint64_t out_len, in_len;
};

struct virtqueue {
	/* Set by the driver through the transport. */
	uint16_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;
	/* Device state. */
	uint16_t last_avail;
	uint16_t used_idx;
	uint8_t *desc, *avail, *used;	/* host views, valid once ready */
};

/*
 * Called when the driver sets QueueReady: checks the size (a power of two,
 * 1..VQ_MAX_SIZE) and that the three rings lie in guest RAM with their
 * required alignment, then maps them.  Returns 0 or a static string naming
 * what is wrong (the caller marks the device broken with it).
 */
const char *vq_enable(struct virtqueue *vq, const struct gmem *mem);

void vq_reset(struct virtqueue *vq);

/*
 * Takes the next available chain.  Returns 1 with *chain filled, 0 when the
 * ring is empty, or -1 with *why set when the guest broke the rules (index
 * jumped past the ring, head or next out of range, loop or chain longer than
 * the queue, indirect descriptor (not offered), buffer outside RAM, a
 * readable buffer after a writable one).
 */
int vq_pop(struct virtqueue *vq, const struct gmem *mem, struct vq_chain *chain,
	   const char **why);

/* Returns a chain to the driver, reporting written bytes into its writable buffers. */
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t written);

/* Whether the driver wants an interrupt for used buffers (VRING_AVAIL_F_NO_INTERRUPT clear). */
bool vq_should_notify(const struct virtqueue *vq);

/* Copies up to len bytes from the chain's readable buffers starting at offset; returns bytes copied. */
uint64_t vq_chain_read(const struct vq_chain *c, uint64_t offset, void *dst, uint64_t len);

/* Copies up to len bytes into the chain's writable buffers starting at offset; returns bytes copied. */
uint64_t vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, uint64_t len);

/*
 * Describes bytes [skip, skip + len) of the n buffers bufs (chain.out or
 * chain.in) as iov entries, for readv/writev straight to or from guest
 * memory.  Returns the entries used (at most n; empty buffers are left out);
 * a range past the buffers' end is cut short.
 */
unsigned vq_iov(const struct vq_buf *bufs, unsigned n, uint64_t skip, uint64_t len,
		struct iovec *iov);

#endif
