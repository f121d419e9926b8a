/* image.c: recognises an arm64 Image (or raw binary) and lays out kernel, initrd and DTB in guest RAM. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "arm64/image.h"
#include "arm64/layout.h"

#define IMAGE_HEADER_SIZE	64
#define IMAGE_MAGIC		0x644d5241U	/* "ARM\x64", little endian, at offset 56 */
#define IMAGE_FLAG_BE		(1ULL << 0)
#define IMAGE_DEFAULT_TEXT_OFF	0x80000ULL	/* image_size == 0: pre-3.17 kernel */
#define SZ_2M			0x200000ULL
#define SZ_4K			0x1000ULL
#define MIB			(1024ULL * 1024)

static uint64_t get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

struct known_format {
	const char *magic;
	size_t len;
	size_t offset;
	const char *what;
};

static const struct known_format known_formats[] = {
	{ "\x1f\x8b", 2, 0, "a gzip-compressed file (decompress it: zcat vmlinuz > Image)" },
	{ "\xfd" "7zXZ", 5, 0, "an xz-compressed file (decompress it first)" },
	{ "\x28\xb5\x2f\xfd", 4, 0, "a zstd-compressed file (decompress it first)" },
	{ "BZh", 3, 0, "a bzip2-compressed file (decompress it first)" },
	{ "\x02\x21\x4c\x18", 4, 0, "an lz4-compressed file (decompress it first)" },
	{ "\x7f" "ELF", 4, 0, "an ELF file (pass arch/arm64/boot/Image, not vmlinux)" },
	{ "zimg", 4, 4, "an EFI zboot image (pass the uncompressed Image)" },
};

static bool looks_like_text(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint(p[i]) && !isspace(p[i]))
			return false;
	return true;
}

static int check_raw(const uint8_t *p, size_t len, struct err *e)
{
	size_t i;

	for (i = 0; i < sizeof(known_formats) / sizeof(known_formats[0]); i++) {
		const struct known_format *f = &known_formats[i];

		if (len >= f->offset + f->len && !memcmp(p + f->offset, f->magic, f->len))
			return err_set(e, ENOEXEC, "kernel is %s", f->what);
	}
	if (looks_like_text(p, len < 512 ? len : 512))
		return err_set(e, ENOEXEC, "kernel is a text file, not an arm64 Image");
	return 0;
}

int kernel_parse(const void *buf, size_t len, uint64_t file_size, struct kernel_info *ki,
		 struct err *e)
{
	const uint8_t *p = buf;

	memset(ki, 0, sizeof(*ki));
	ki->file_size = file_size;
	if (file_size == 0)
		return err_set(e, ENOEXEC, "kernel file is empty");
	if (len < IMAGE_HEADER_SIZE || get_le(p + 56, 4) != IMAGE_MAGIC) {
		int ret = check_raw(p, len, e);

		if (ret)
			return ret;
		ki->text_offset = LAYOUT_RAW_OFFSET;
		ki->image_size = file_size;
		return 0;
	}

	ki->has_header = true;
	ki->text_offset = get_le(p + 8, 8);
	ki->image_size = get_le(p + 16, 8);
	if (ki->image_size == 0) {
		ki->text_offset = IMAGE_DEFAULT_TEXT_OFF;
		ki->image_size = file_size;
	}
	if (get_le(p + 24, 8) & IMAGE_FLAG_BE)
		return err_set(e, ENOEXEC, "kernel Image is big-endian; lkvm boots little-endian guests");
	if (ki->text_offset % SZ_4K || ki->text_offset >= SZ_2M)
		return err_set(e, ENOEXEC, "kernel Image has a bad text_offset 0x%llx",
			       (unsigned long long)ki->text_offset);
	if (ki->image_size < file_size)
		ki->image_size = file_size;
	return 0;
}

static uint64_t mib_up(uint64_t bytes)
{
	return (bytes + MIB - 1) / MIB;
}

int boot_layout_place(uint64_t ram_base, uint64_t ram_size, const struct kernel_info *ki,
		      uint64_t initrd_size, struct boot_layout *bl, struct err *e)
{
	uint64_t ram_end = ram_base + ram_size;
	uint64_t need;

	memset(bl, 0, sizeof(*bl));
	bl->kernel = ram_base + ki->text_offset;
	bl->kernel_end = bl->kernel + ki->image_size;
	need = ki->text_offset + ki->image_size + initrd_size + SZ_4K + SZ_2M;
	if (ram_size < SZ_2M || ki->image_size > ram_size || initrd_size > ram_size ||
	    need > ram_size)
		return err_set(e, ENOMEM,
			       "kernel%s (%llu MiB with initrd and DTB) does not fit in %llu MiB of RAM",
			       initrd_size ? " and initrd" : "", (unsigned long long)mib_up(need),
			       (unsigned long long)(ram_size / MIB));

	/*
	 * booting.rst wants the initrd within one 32 GiB window with the kernel;
	 * keeping DTB and initrd below the first 512 MiB satisfies it for any RAM size.
	 */
	if (ram_size > LAYOUT_LOW_RAM_LIMIT)
		ram_end = ram_base + LAYOUT_LOW_RAM_LIMIT;
	bl->fdt = (ram_end - LAYOUT_FDT_MAX_SIZE) & ~(SZ_2M - 1);
	if (initrd_size) {
		bl->initrd = (bl->fdt - initrd_size) & ~(SZ_4K - 1);
		bl->initrd_size = initrd_size;
	}
	if ((initrd_size ? bl->initrd : bl->fdt) < bl->kernel_end)
		return err_set(e, ENOMEM, "kernel, initrd and DTB overlap in %llu MiB of RAM",
			       (unsigned long long)(ram_size / MIB));
	return 0;
}
