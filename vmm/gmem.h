/* gmem.h: guest RAM as host memory, and the one checked guest-physical-to-host translation. */
#ifndef LKVM_GMEM_H
#define LKVM_GMEM_H

#include <stddef.h>
#include <stdint.h>

struct gmem {
	uint8_t *host;		/* host mapping of guest RAM */
	uint64_t gpa;		/* guest physical address of host[0] */
	uint64_t size;
};

/*
 * Host pointer for [gpa, gpa + len), or NULL unless the whole range lies in
 * guest RAM.  Written so that no sum can overflow: a guest picks gpa and
 * len freely (virtqueue descriptors), so both may be anything.
 */
static inline void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (gpa < m->gpa)
		return NULL;
	off = gpa - m->gpa;
	if (off > m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}

#endif
