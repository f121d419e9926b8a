/* test_image.c: unit tests for arm64 Image header parsing and boot layout placement (arm64/image.h). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/image.h"
#include "arm64/layout.h"

#define MIB	(1024ULL * 1024)
#define RAM	LAYOUT_RAM_BASE

#define ck_assert_msg_has(e, sub) \
	ck_assert_msg(strstr((e)->msg, (sub)), "message \"%s\" lacks \"%s\"", (e)->msg, (sub))

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	while (bytes--) {
		*p++ = v & 0xff;
		v >>= 8;
	}
}

/*
 * A 512-byte kernel head as arch_load_images() reads it: the 64-byte header
 * of Documentation/arch/arm64/booting.rst, then non-text "code".
 */
static void make_image(uint8_t *buf, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	unsigned i;

	for (i = 0; i < 512; i++)
		buf[i] = (uint8_t)(i * 7 + 0x80);
	put_le(buf + 0, 0x91005a4d, 4);		/* code0: "MZ" + add x13, x18, #0x16 */
	put_le(buf + 4, 0x14000000, 4);		/* code1: b primary_entry */
	put_le(buf + 8, text_offset, 8);
	put_le(buf + 16, image_size, 8);
	put_le(buf + 24, flags, 8);
	put_le(buf + 32, 0, 8);			/* res2 */
	put_le(buf + 40, 0, 8);			/* res3 */
	put_le(buf + 48, 0, 8);			/* res4 */
	memcpy(buf + 56, "ARM\x64", 4);		/* magic */
	put_le(buf + 60, 0, 4);			/* res5 (PE header offset) */
}

START_TEST(test_parse_good_header)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	make_image(buf, 0, 0x2a30000, 0xa);	/* 4K pages, anywhere in RAM */
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x2000000, &ki, &e), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert(ki.has_header);
	ck_assert_uint_eq(ki.text_offset, 0);
	ck_assert_uint_eq(ki.image_size, 0x2a30000);	/* image_size includes BSS */
	ck_assert_uint_eq(ki.file_size, 0x2000000);
}
END_TEST

START_TEST(test_parse_header_text_offset)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	make_image(buf, 0x80000, 0x1000000, 0);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x800000, &ki, &e), 0);
	ck_assert(ki.has_header);
	ck_assert_uint_eq(ki.text_offset, 0x80000);
	ck_assert_uint_eq(ki.image_size, 0x1000000);

	/* Largest legal text_offset: 4 KiB aligned, below 2 MiB. */
	make_image(buf, 0x1ff000, 0x1000000, 0);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x800000, &ki, &e), 0);
	ck_assert_uint_eq(ki.text_offset, 0x1ff000);
}
END_TEST

START_TEST(test_parse_image_size_below_file_size)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	/* A header understating the size never lets the load overrun the layout. */
	make_image(buf, 0, 0x100000, 0);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x180000, &ki, &e), 0);
	ck_assert_uint_eq(ki.image_size, 0x180000);
}
END_TEST

START_TEST(test_parse_old_kernel_image_size_zero)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	/* Before Linux 3.17 image_size was 0 and text_offset was 0x80000, whatever the field says. */
	make_image(buf, 0, 0, 0);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x600000, &ki, &e), 0);
	ck_assert(ki.has_header);
	ck_assert_uint_eq(ki.text_offset, 0x80000);
	ck_assert_uint_eq(ki.image_size, 0x600000);
	ck_assert_uint_eq(ki.file_size, 0x600000);
}
END_TEST

START_TEST(test_parse_big_endian)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	make_image(buf, 0, 0x1000000, 0x1);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x800000, &ki, &e), -ENOEXEC);
	ck_assert_int_eq(e.errnum, ENOEXEC);
	ck_assert_msg_has(&e, "big-endian");
}
END_TEST

static const uint64_t bad_text_offsets[] = { 0x800, 0x80001, 0x200000, 0x400000, 0x8000000000000000ULL };

START_TEST(test_parse_bad_text_offset)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };
	char want[64];

	make_image(buf, bad_text_offsets[_i], 0x1000000, 0);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 0x800000, &ki, &e), -ENOEXEC);
	snprintf(want, sizeof(want), "bad text_offset 0x%llx", (unsigned long long)bad_text_offsets[_i]);
	ck_assert_msg_has(&e, want);
}
END_TEST

START_TEST(test_parse_empty_file)
{
	uint8_t buf[1] = { 0 };
	struct kernel_info ki;
	struct err e = { 0 };

	ck_assert_int_eq(kernel_parse(buf, 0, 0, &ki, &e), -ENOEXEC);
	ck_assert_str_eq(e.msg, "kernel file is empty");
}
END_TEST

START_TEST(test_parse_text_file)
{
	static const char text[] = "#!/bin/sh\n# not a kernel\necho hello\tworld\n";
	struct kernel_info ki;
	struct err e = { 0 };

	ck_assert_int_eq(kernel_parse(text, strlen(text), strlen(text), &ki, &e), -ENOEXEC);
	ck_assert_str_eq(e.msg, "kernel is a text file, not an arm64 Image");
	ck_assert(!ki.has_header);
}
END_TEST

START_TEST(test_parse_text_file_long)
{
	/* Only the first 512 bytes are looked at; a long text file is still text. */
	char text[512];
	struct kernel_info ki;
	struct err e = { 0 };

	memset(text, 'a', sizeof(text));
	text[100] = '\n';
	ck_assert_int_eq(kernel_parse(text, sizeof(text), 1 << 20, &ki, &e), -ENOEXEC);
	ck_assert_msg_has(&e, "text file");
}
END_TEST

static const struct {
	const char *magic;
	size_t len;
	const char *what;
} formats[] = {
	{ "\x1f\x8b\x08\x00", 4, "gzip-compressed" },
	{ "\x7f" "ELF\x02\x01\x01", 7, "ELF file" },
	{ "\xfd" "7zXZ\x00", 6, "xz-compressed" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd-compressed" },
	{ "BZh91AY", 7, "bzip2-compressed" },
	{ "\x02\x21\x4c\x18", 4, "lz4-compressed" },
	{ "MZ\x00\x00zimg", 8, "EFI zboot image" },
};

START_TEST(test_parse_known_formats)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x90 + i);
	memcpy(buf, formats[_i].magic, formats[_i].len);
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 5 << 20, &ki, &e), -ENOEXEC);
	ck_assert_int_eq(e.errnum, ENOEXEC);
	ck_assert_msg_has(&e, formats[_i].what);
	ck_assert_msg(!strncmp(e.msg, "kernel is ", 10), "message \"%s\"", e.msg);
	ck_assert(!ki.has_header);
}
END_TEST

START_TEST(test_parse_raw_binary)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };
	unsigned i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13);	/* contains NULs and high bytes: not text */
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 12345, &ki, &e), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert(!ki.has_header);
	ck_assert_uint_eq(ki.text_offset, 0x80000);
	ck_assert_uint_eq(ki.image_size, 12345);
	ck_assert_uint_eq(ki.file_size, 12345);
}
END_TEST

START_TEST(test_parse_raw_short)
{
	/* Shorter than a header: a tiny raw payload (e.g. a few instructions). */
	static const uint8_t code[8] = { 0x00, 0x00, 0x80, 0xd2, 0x02, 0x00, 0x00, 0xd4 };
	struct kernel_info ki;
	struct err e = { 0 };

	ck_assert_int_eq(kernel_parse(code, sizeof(code), sizeof(code), &ki, &e), 0);
	ck_assert(!ki.has_header);
	ck_assert_uint_eq(ki.text_offset, LAYOUT_RAW_OFFSET);
	ck_assert_uint_eq(ki.image_size, 8);
}
END_TEST

START_TEST(test_parse_magic_wrong_offset)
{
	uint8_t buf[512];
	struct kernel_info ki;
	struct err e = { 0 };

	/* The magic one byte off is no header: a raw binary. */
	make_image(buf, 0, 0x1000000, 0);
	memmove(buf + 57, buf + 56, 4);
	buf[56] = 0;
	ck_assert_int_eq(kernel_parse(buf, sizeof(buf), 4096, &ki, &e), 0);
	ck_assert(!ki.has_header);
	ck_assert_uint_eq(ki.text_offset, 0x80000);
}
END_TEST

/* Placement */

static struct kernel_info kinfo(uint64_t text_offset, uint64_t image_size)
{
	return (struct kernel_info){ .has_header = true, .text_offset = text_offset,
				     .image_size = image_size, .file_size = image_size };
}

START_TEST(test_place_256m_with_initrd)
{
	struct kernel_info ki = kinfo(0, 0x2a30000);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 256 * MIB, &ki, 0x123456, &bl, &e), 0);
	ck_assert_str_eq(e.msg, "");
	ck_assert_uint_eq(bl.kernel, 0x80000000);
	ck_assert_uint_eq(bl.kernel_end, 0x82a30000);
	ck_assert_uint_eq(bl.fdt, 0x8fe00000);		/* last 2 MiB of 0x80000000..0x90000000 */
	ck_assert_uint_eq(bl.initrd, 0x8fcdc000);	/* (0x8fe00000 - 0x123456) & ~0xfff */
	ck_assert_uint_eq(bl.initrd_size, 0x123456);
	ck_assert_uint_eq(bl.initrd % 0x1000, 0);
	ck_assert_uint_le(bl.initrd + bl.initrd_size, bl.fdt);
}
END_TEST

START_TEST(test_place_256m_raw_no_initrd)
{
	struct kernel_info ki = { .text_offset = 0x80000, .image_size = 4096, .file_size = 4096 };
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 256 * MIB, &ki, 0, &bl, &e), 0);
	ck_assert_uint_eq(bl.kernel, 0x80080000);
	ck_assert_uint_eq(bl.kernel_end, 0x80081000);
	ck_assert_uint_eq(bl.fdt, 0x8fe00000);
	ck_assert_uint_eq(bl.initrd, 0);
	ck_assert_uint_eq(bl.initrd_size, 0);
}
END_TEST

START_TEST(test_place_fdt_alignment_odd_ram)
{
	struct kernel_info ki = kinfo(0, 1 * MIB);
	struct boot_layout bl;
	struct err e = { 0 };

	/* 257 MiB: the last whole 2 MiB block starts at +254 MiB. */
	ck_assert_int_eq(boot_layout_place(RAM, 257 * MIB, &ki, 0, &bl, &e), 0);
	ck_assert_uint_eq(bl.fdt, RAM + 254 * MIB);
	ck_assert_uint_eq(bl.fdt % (2 * MIB), 0);
	ck_assert_uint_le(bl.fdt + LAYOUT_FDT_MAX_SIZE, RAM + 257 * MIB);
}
END_TEST

START_TEST(test_place_exact_fit)
{
	/* need = text_offset + image + initrd + 4 KiB + 2 MiB; exactly the RAM size fits. */
	struct kernel_info ki = kinfo(0, 16 * MIB - 2 * MIB - 0x1000 - 0x3000);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 16 * MIB, &ki, 0x3000, &bl, &e), 0);
	ck_assert_uint_eq(bl.fdt, RAM + 14 * MIB);
	ck_assert_uint_eq(bl.initrd, RAM + 14 * MIB - 0x3000);
	ck_assert_uint_le(bl.kernel_end, bl.initrd);

	ki.image_size += 1;
	ck_assert_int_eq(boot_layout_place(RAM, 16 * MIB, &ki, 0x3000, &bl, &e), -ENOMEM);
}
END_TEST

START_TEST(test_place_too_big)
{
	struct kernel_info ki = kinfo(0, 15 * MIB);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 16 * MIB, &ki, 0, &bl, &e), -ENOMEM);
	ck_assert_int_eq(e.errnum, ENOMEM);
	ck_assert_str_eq(e.msg, "kernel (18 MiB with initrd and DTB) does not fit in 16 MiB of RAM");

	err_clear(&e);
	ki = kinfo(0x80000, 8 * MIB);
	ck_assert_int_eq(boot_layout_place(RAM, 16 * MIB, &ki, 7 * MIB, &bl, &e), -ENOMEM);
	ck_assert_str_eq(e.msg,
			 "kernel and initrd (18 MiB with initrd and DTB) does not fit in 16 MiB of RAM");
}
END_TEST

START_TEST(test_place_huge_sizes)
{
	/* Sizes that would overflow the sum are refused, not wrapped. */
	struct kernel_info ki = kinfo(0, UINT64_MAX - 0x1000);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 256 * MIB, &ki, 0, &bl, &e), -ENOMEM);
	err_clear(&e);
	ki = kinfo(0, 1 * MIB);
	ck_assert_int_eq(boot_layout_place(RAM, 256 * MIB, &ki, UINT64_MAX - 0x1000, &bl, &e),
			 -ENOMEM);
	ck_assert_msg_has(&e, "does not fit in 256 MiB of RAM");
}
END_TEST

START_TEST(test_place_tiny_ram)
{
	struct kernel_info ki = kinfo(0, 4096);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 1 * MIB, &ki, 0, &bl, &e), -ENOMEM);
	ck_assert_msg_has(&e, "does not fit in 1 MiB of RAM");
}
END_TEST

START_TEST(test_place_overlap)
{
	/*
	 * 3 MiB of RAM: the sizes add up to less, but the only 2 MiB-aligned
	 * block for the DTB is the first one, where the kernel is.
	 */
	struct kernel_info ki = kinfo(0, 4096);
	struct boot_layout bl;
	struct err e = { 0 };

	ck_assert_int_eq(boot_layout_place(RAM, 3 * MIB, &ki, 0, &bl, &e), -ENOMEM);
	ck_assert_str_eq(e.msg, "kernel, initrd and DTB overlap in 3 MiB of RAM");

	/* Same with an initrd that would have to go below RAM's start. */
	err_clear(&e);
	ck_assert_int_eq(boot_layout_place(RAM, 3 * MIB, &ki, 0x2000, &bl, &e), -ENOMEM);
	ck_assert_str_eq(e.msg, "kernel, initrd and DTB overlap in 3 MiB of RAM");
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *parse = tcase_create("parse");
	TCase *place = tcase_create("place");

	tcase_add_test(parse, test_parse_good_header);
	tcase_add_test(parse, test_parse_header_text_offset);
	tcase_add_test(parse, test_parse_image_size_below_file_size);
	tcase_add_test(parse, test_parse_old_kernel_image_size_zero);
	tcase_add_test(parse, test_parse_big_endian);
	tcase_add_loop_test(parse, test_parse_bad_text_offset, 0,
			    sizeof(bad_text_offsets) / sizeof(bad_text_offsets[0]));
	tcase_add_test(parse, test_parse_empty_file);
	tcase_add_test(parse, test_parse_text_file);
	tcase_add_test(parse, test_parse_text_file_long);
	tcase_add_loop_test(parse, test_parse_known_formats, 0, sizeof(formats) / sizeof(formats[0]));
	tcase_add_test(parse, test_parse_raw_binary);
	tcase_add_test(parse, test_parse_raw_short);
	tcase_add_test(parse, test_parse_magic_wrong_offset);
	tcase_add_test(place, test_place_256m_with_initrd);
	tcase_add_test(place, test_place_256m_raw_no_initrd);
	tcase_add_test(place, test_place_fdt_alignment_odd_ram);
	tcase_add_test(place, test_place_exact_fit);
	tcase_add_test(place, test_place_too_big);
	tcase_add_test(place, test_place_huge_sizes);
	tcase_add_test(place, test_place_tiny_ram);
	tcase_add_test(place, test_place_overlap);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, place);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
