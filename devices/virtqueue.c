/* virtqueue.c: pops and pushes split-virtqueue chains (virtio 1.2, 2.7) with every guest value bounds-checked. */
#include <string.h>

#include "devices/virtqueue.h"

#define DESC_SIZE	16
#define RING_HDR	4	/* flags + idx */
#define USED_ELEM	8

/*
 * Guest memory is shared with running vcpus: every value is read once with
 * a relaxed atomic load into a local before it is checked or used, so the
 * guest cannot change it between check and use.
 */
static uint16_t load16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static uint32_t load32(const uint8_t *p)
{
	return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}

static uint64_t load64(const uint8_t *p)
{
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}

static bool is_pow2(unsigned n)
{
	return n && !(n & (n - 1));
}

const char *vq_enable(struct virtqueue *vq, const struct gmem *mem)
{
	uint64_t n = vq->num;

	if (!is_pow2(vq->num) || vq->num > VQ_MAX_SIZE)
		return "queue size is not a power of two up to 256";
	/* Alignments: descriptors 16, driver (avail) ring 2, device (used) ring 4 (2.7). */
	if (vq->desc_gpa % 16 || vq->avail_gpa % 2 || vq->used_gpa % 4)
		return "misaligned virtqueue ring";
	vq->desc = gmem_ptr(mem, vq->desc_gpa, n * DESC_SIZE);
	vq->avail = gmem_ptr(mem, vq->avail_gpa, RING_HDR + n * 2 + 2);
	vq->used = gmem_ptr(mem, vq->used_gpa, RING_HDR + n * USED_ELEM + 2);
	if (!vq->desc || !vq->avail || !vq->used)
		return "virtqueue ring outside guest RAM";
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->ready = true;
	return NULL;
}

void vq_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static int add_buf(struct vq_chain *c, uint8_t *ptr, uint32_t len, bool writable, const char **why)
{
	if (writable) {
		c->in[c->nr_in++] = (struct vq_buf){ ptr, len };
		c->in_len += len;
		return 0;
	}
	if (c->nr_in) {
		*why = "device-readable descriptor after a device-writable one";
		return -1;
	}
	c->out[c->nr_out++] = (struct vq_buf){ ptr, len };
	c->out_len += len;
	return 0;
}

static int walk_chain(struct virtqueue *vq, const struct gmem *mem, uint16_t idx,
		      struct vq_chain *c, const char **why)
{
	unsigned count;

	for (count = 0; count < vq->num; count++) {
		const uint8_t *d = vq->desc + (uint64_t)idx * DESC_SIZE;
		uint64_t addr = load64(d);
		uint32_t len = load32(d + 8);
		uint16_t flags = load16(d + 12);
		uint16_t next = load16(d + 14);
		uint8_t *ptr;

		if (flags & VQ_DESC_F_INDIRECT) {
			*why = "indirect descriptor (feature not offered)";
			return -1;
		}
		ptr = gmem_ptr(mem, addr, len);
		if (!ptr) {
			*why = "descriptor buffer outside guest RAM";
			return -1;
		}
		if (add_buf(c, ptr, len, flags & VQ_DESC_F_WRITE, why))
			return -1;
		if (!(flags & VQ_DESC_F_NEXT))
			return 1;
		if (next >= vq->num) {
			*why = "descriptor next index out of range";
			return -1;
		}
		idx = next;
	}
	*why = "descriptor loop or chain longer than the queue";
	return -1;
}

int vq_pop(struct virtqueue *vq, const struct gmem *mem, struct vq_chain *chain,
	   const char **why)
{
	uint16_t avail_idx, head;

	if (!vq->ready)
		return 0;
	/* Acquire: ring entries written before idx must be seen after it. */
	avail_idx = __atomic_load_n((const uint16_t *)(vq->avail + 2), __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		*why = "available index moved past the ring size";
		return -1;
	}
	head = load16(vq->avail + RING_HDR + (vq->last_avail % vq->num) * 2);
	if (head >= vq->num) {
		*why = "available ring entry out of range";
		return -1;
	}
	chain->head = head;
	chain->nr_out = chain->nr_in = 0;
	chain->out_len = chain->in_len = 0;
	if (walk_chain(vq, mem, head, chain, why) < 0)
		return -1;
	vq->last_avail++;
	return 1;
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t written)
{
	uint8_t *elem = vq->used + RING_HDR + (uint64_t)(vq->used_idx % vq->num) * USED_ELEM;
	uint32_t id = head;

	__atomic_store_n((uint32_t *)elem, id, __ATOMIC_RELAXED);
	__atomic_store_n((uint32_t *)(elem + 4), written, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the element is visible before the index that publishes it. */
	__atomic_store_n((uint16_t *)(vq->used + 2), vq->used_idx, __ATOMIC_RELEASE);
}

bool vq_should_notify(const struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(load16(vq->avail) & VQ_AVAIL_F_NO_INTERRUPT);
}

static uint64_t copy_bufs(const struct vq_buf *bufs, unsigned n, uint64_t offset, uint8_t *p,
			  uint64_t len, bool to_guest)
{
	uint64_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		uint64_t chunk;

		if (offset >= bufs[i].len) {
			offset -= bufs[i].len;
			continue;
		}
		chunk = bufs[i].len - offset;
		if (chunk > len - done)
			chunk = len - done;
		if (to_guest)
			memcpy(bufs[i].ptr + offset, p + done, chunk);
		else
			memcpy(p + done, bufs[i].ptr + offset, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

uint64_t vq_chain_read(const struct vq_chain *c, uint64_t offset, void *dst, uint64_t len)
{
	return copy_bufs(c->out, c->nr_out, offset, dst, len, false);
}

uint64_t vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, uint64_t len)
{
	return copy_bufs(c->in, c->nr_in, offset, (uint8_t *)src, len, true);
}

unsigned vq_iov(const struct vq_buf *bufs, unsigned n, uint64_t skip, uint64_t len,
		struct iovec *iov)
{
	unsigned i, cnt = 0;

	for (i = 0; i < n && len; i++) {
		uint64_t chunk;

		if (skip >= bufs[i].len) {
			skip -= bufs[i].len;
			continue;
		}
		chunk = bufs[i].len - skip;
		if (chunk > len)
			chunk = len;
		iov[cnt++] = (struct iovec){ bufs[i].ptr + skip, chunk };
		len -= chunk;
		skip = 0;
	}
	return cnt;
}
