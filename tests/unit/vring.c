/* vring.c: the fake guest RAM and driver-side virtqueue rings of vring.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "tests/unit/vring.h"

#define SLOT_SIZE	0x4000
#define AVAIL_OFF	0x1000
#define USED_OFF	0x2000

void guest_ram_init(struct gmem *m)
{
	m->host = calloc(1, GUEST_RAM_SIZE);
	ck_assert_ptr_nonnull(m->host);
	m->gpa = GUEST_RAM_GPA;
	m->size = GUEST_RAM_SIZE;
}

void guest_ram_free(struct gmem *m)
{
	free(m->host);
	m->host = NULL;
}

uint8_t *guest_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	uint8_t *p = gmem_ptr(m, gpa, len);

	ck_assert_msg(p, "test bug: 0x%llx+0x%llx is outside guest RAM", (unsigned long long)gpa,
		      (unsigned long long)len);
	return p;
}

static void put16(const struct gmem *m, uint64_t gpa, uint16_t v)
{
	memcpy(guest_ptr(m, gpa, 2), &v, 2);
}

static uint16_t get16(const struct gmem *m, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, guest_ptr(m, gpa, 2), 2);
	return v;
}

void fake_vq_init(struct fake_vq *f, const struct gmem *m, unsigned slot, uint16_t num)
{
	uint64_t base = GUEST_RAM_GPA + (uint64_t)slot * SLOT_SIZE;

	*f = (struct fake_vq){ .mem = m, .num = num, .desc = base, .avail = base + AVAIL_OFF,
			       .used = base + USED_OFF };
	memset(guest_ptr(m, base, SLOT_SIZE), 0, SLOT_SIZE);
}

void fake_desc(const struct fake_vq *f, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	       uint16_t next)
{
	uint8_t *d = guest_ptr(f->mem, f->desc + (uint64_t)i * 16, 16);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

uint16_t fake_chain(struct fake_vq *f, const struct fake_buf *bufs, unsigned n)
{
	uint16_t head = f->next_desc;
	unsigned i;

	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++) {
		uint16_t cur = f->next_desc;
		uint16_t next = (uint16_t)((cur + 1) % f->num);
		uint16_t flags = (bufs[i].writable ? VQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VQ_DESC_F_NEXT : 0);

		fake_desc(f, cur, bufs[i].gpa, bufs[i].len, flags, i + 1 < n ? next : 0);
		f->next_desc = next;
	}
	return head;
}

void fake_avail(struct fake_vq *f, uint16_t head)
{
	put16(f->mem, f->avail + 4 + (uint64_t)(f->avail_idx % f->num) * 2, head);
	fake_set_avail_idx(f, f->avail_idx + 1);
}

uint16_t fake_post(struct fake_vq *f, const struct fake_buf *bufs, unsigned n)
{
	uint16_t head = fake_chain(f, bufs, n);

	fake_avail(f, head);
	return head;
}

void fake_set_avail_idx(struct fake_vq *f, uint16_t idx)
{
	f->avail_idx = idx;
	put16(f->mem, f->avail + 2, idx);
}

void fake_set_avail_flags(const struct fake_vq *f, uint16_t flags)
{
	put16(f->mem, f->avail, flags);
}

uint16_t fake_used_idx(const struct fake_vq *f)
{
	return get16(f->mem, f->used + 2);
}

void fake_used_elem(const struct fake_vq *f, uint16_t i, uint32_t *id, uint32_t *len)
{
	const uint8_t *e = guest_ptr(f->mem, f->used + 4 + (uint64_t)(i % f->num) * 8, 8);

	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
}
