/* vring.h: a fake guest for virtio unit tests: malloc'd guest RAM and the driver side of split virtqueues in it. */
#ifndef LKVM_TEST_VRING_H
#define LKVM_TEST_VRING_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/gmem.h"

#define GUEST_RAM_GPA	0x40000000ULL
#define GUEST_RAM_SIZE	0x100000ULL			/* 1 MiB */
#define GUEST_DATA_GPA	(GUEST_RAM_GPA + 0x80000)	/* free for request buffers */

/* Zeroed guest RAM at GUEST_RAM_GPA (fails the test when out of memory). */
void guest_ram_init(struct gmem *m);
void guest_ram_free(struct gmem *m);

/* Host pointer to [gpa, gpa + len), which the test asserts lies in guest RAM. */
uint8_t *guest_ptr(const struct gmem *m, uint64_t gpa, uint64_t len);

/*
 * The driver's view of one queue.  Queue slot s has its descriptor table at
 * GUEST_RAM_GPA + s * 0x4000, the driver (avail) ring 0x1000 and the device
 * (used) ring 0x2000 after it: room for 256 entries each.
 */
struct fake_vq {
	const struct gmem *mem;
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx;	/* the driver's next available index */
	uint16_t next_desc;	/* fake_chain() takes descriptors from here on */
};

struct fake_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

void fake_vq_init(struct fake_vq *f, const struct gmem *m, unsigned slot, uint16_t num);

/* Writes descriptor i as the guest would (nothing is checked: tests write bad ones on purpose). */
void fake_desc(const struct fake_vq *f, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	       uint16_t next);

/* Writes bufs as one chain on the next free descriptors (wrapping at num); returns its head. */
uint16_t fake_chain(struct fake_vq *f, const struct fake_buf *bufs, unsigned n);

/* Offers head in the available ring and publishes the new index. */
void fake_avail(struct fake_vq *f, uint16_t head);

/* fake_chain() then fake_avail(); returns the head. */
uint16_t fake_post(struct fake_vq *f, const struct fake_buf *bufs, unsigned n);

/* Raw writes of the available ring's idx and flags. */
void fake_set_avail_idx(struct fake_vq *f, uint16_t idx);
void fake_set_avail_flags(const struct fake_vq *f, uint16_t flags);

/* The device's used ring: its idx, and element i (taken modulo num). */
uint16_t fake_used_idx(const struct fake_vq *f);
void fake_used_elem(const struct fake_vq *f, uint16_t i, uint32_t *id, uint32_t *len);

#endif
