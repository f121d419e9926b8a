/* image.h: arm64 Image header parsing and the placement of kernel, initrd and DTB in guest RAM (pure, no KVM). */
#ifndef LKVM_ARM64_IMAGE_H
#define LKVM_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/err.h"

/* What the first bytes of a kernel file say about it. */
struct kernel_info {
	bool has_header;	/* arm64 Image header present; false: raw binary */
	uint64_t text_offset;	/* load offset from a 2 MiB-aligned base */
	uint64_t image_size;	/* bytes the kernel occupies once loaded (incl. BSS) */
	uint64_t file_size;
};

/*
 * Parses the 64-byte header of Documentation/arch/arm64/booting.rst.  A file
 * without the "ARM\x64" magic is taken as a raw binary unless it is clearly
 * something else (empty, text, gzip/xz/zstd/bzip2/lz4, ELF, EFI zboot), which
 * is refused with the format named.  A header that asks for a big-endian
 * kernel or has an unaligned text_offset is refused.
 */
int kernel_parse(const void *buf, size_t len, uint64_t file_size, struct kernel_info *ki,
		 struct err *e);

/* Where everything goes, as guest physical addresses. */
struct boot_layout {
	uint64_t kernel;	/* load address = entry point */
	uint64_t kernel_end;	/* first byte past kernel + BSS */
	uint64_t initrd;	/* 0 if there is none */
	uint64_t initrd_size;
	uint64_t fdt;		/* 2 MiB-aligned, last block of RAM */
};

/*
 * Kernel at ram_base + text_offset (ram_base is 2 MiB aligned), the DTB in
 * the last 2 MiB block of RAM, the initrd page-aligned just below the DTB.
 * Fails, saying how much RAM is missing, when they do not fit or overlap.
 */
int boot_layout_place(uint64_t ram_base, uint64_t ram_size, const struct kernel_info *ki,
		      uint64_t initrd_size, struct boot_layout *bl, struct err *e);

#endif
