/* fuzz_virtqueue.c: libFuzzer harness for the split virtqueue: rings and buffers come from a fuzzed fake guest RAM. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"

/*
 * Input: a 16-byte header, then the initial contents of RAM_SIZE bytes of
 * guest RAM at RAM_GPA (zero past the input's end).
 *   byte 0      log2 of the queue size (values above 8 must be refused)
 *   byte 1      flags: bit 0 use bytes 2..13 as raw addresses (not RAM offsets)
 *   bytes 2-13  descriptor table, driver ring and device ring, 32 bits each
 *   bytes 14-15 the device's starting ring index (to cross the 16-bit wrap)
 * A small RAM at a small address keeps valid guest addresses easy to find.
 */
#define RAM_GPA		0x1000ULL
#define RAM_SIZE	0x4000ULL
#define HDR_SIZE	16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Every buffer of a popped chain must lie inside guest RAM; anything else is a harness-visible bug. */
static void check_bufs(const struct gmem *m, const struct vq_buf *b, unsigned n, uint64_t total)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (b[i].ptr < m->host || b[i].ptr > m->host + m->size ||
		    b[i].len > (uint64_t)(m->host + m->size - b[i].ptr))
			abort();
		sum += b[i].len;
	}
	if (sum != total)
		abort();
}

/* Touches every byte the chain offers, the way devices do. */
static uint32_t use_chain(const struct vq_chain *c, uint8_t *scratch, uint64_t skip)
{
	struct iovec iov[VQ_MAX_SIZE];
	uint64_t n, len;
	unsigned cnt, i;

	n = vq_chain_read(c, skip, scratch, RAM_SIZE);
	if (n > RAM_SIZE || (skip < c->out_len && n != (c->out_len - skip < RAM_SIZE ? c->out_len - skip : RAM_SIZE)))
		abort();
	n = vq_chain_write(c, skip, scratch, RAM_SIZE);
	if (n > RAM_SIZE)
		abort();
	cnt = vq_iov(c->in, c->nr_in, skip, c->in_len, iov);
	for (i = 0, len = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			abort();
		memset(iov[i].iov_base, 0x5a, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (len != (skip < c->in_len ? c->in_len - skip : 0))
		abort();
	return (uint32_t)len;
}

static void setup_queue(struct virtqueue *vq, const uint8_t *h)
{
	int raw = h[1] & 1;
	uint64_t base = raw ? 0 : RAM_GPA;

	vq_reset(vq);
	vq->num = (uint16_t)(1u << (h[0] & 15));
	vq->desc_gpa = base + get32(h + 2);
	vq->avail_gpa = base + get32(h + 6);
	vq->used_gpa = base + get32(h + 10);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmem mem = { .gpa = RAM_GPA, .size = RAM_SIZE };
	static struct vq_chain chain;
	static uint8_t scratch[RAM_SIZE];
	struct virtqueue vq;
	const char *why;
	unsigned i;
	int ret;

	if (size < HDR_SIZE)
		return 0;
	/* Exactly RAM_SIZE bytes of heap: AddressSanitizer flags any access beyond. */
	mem.host = calloc(1, RAM_SIZE);
	if (!mem.host)
		return 0;
	memcpy(mem.host, data + HDR_SIZE, size - HDR_SIZE < RAM_SIZE ? size - HDR_SIZE : RAM_SIZE);
	setup_queue(&vq, data);
	if (vq_enable(&vq, &mem)) {
		if (vq.ready)
			abort();
		goto out;
	}
	if (vq.num > VQ_MAX_SIZE || (vq.num & (vq.num - 1)))
		abort();
	memcpy(&vq.last_avail, data + 14, 2);
	vq.used_idx = vq.last_avail;
	/*
	 * At most num + 1 pops: rings may overlap in the fuzzed memory, so a push
	 * can rewrite the avail index and offer more chains, which is the guest's
	 * own doing and no memory-safety matter.
	 */
	for (i = 0; i <= vq.num; i++) {
		ret = vq_pop(&vq, &mem, &chain, &why);
		if (ret < 0 && !why)
			abort();
		if (ret <= 0)
			break;
		if (chain.head >= vq.num || chain.nr_out + chain.nr_in > vq.num)
			abort();
		check_bufs(&mem, chain.out, chain.nr_out, chain.out_len);
		check_bufs(&mem, chain.in, chain.nr_in, chain.in_len);
		vq_push(&vq, chain.head, use_chain(&chain, scratch, data[i % HDR_SIZE]));
		(void)vq_should_notify(&vq);
	}
out:
	free(mem.host);
	return 0;
}
