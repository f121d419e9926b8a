/* test_fdt.c: unit tests for the device tree builder (fdt/fdt.h), read back with libfdt. */
#include <check.h>
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/layout.h"
#include "fdt/fdt.h"

#define FDT_BUF_SIZE	(64 * 1024)
#define BOOTARGS	"console=ttyS0 earlycon=uart8250,mmio,0x1000000 panic=-1 quiet"

static uint8_t fdt[FDT_BUF_SIZE];

/* Two KVM-style MPIDRs (bit 31 is RES1); the second has Aff1 set to check the reg encoding. */
static const uint64_t mpidr2[] = { 0x80000000, 0x80000101 };
static const uint64_t mpidr8[] = { 0x80000000, 0x80000001, 0x80000002, 0x80000003,
				   0x80000004, 0x80000005, 0x80000006, 0x80000007 };

static void desc_common(struct dt_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->nr_cpus = 2;
	d->mpidr = mpidr2;
	d->ram_base = LAYOUT_RAM_BASE;
	d->ram_size = 256ULL << 20;
	d->gicd_base = LAYOUT_GICD_BASE;
	d->gicd_size = LAYOUT_GICD_SIZE;
	d->pmu = true;
	d->pmu_intid = 23;
	d->bootargs = BOOTARGS;
	d->initrd_start = 0x8fcdc000;
	d->initrd_end = 0x8fcdc000 + 0x123456;
	d->nr_devs = 1;
	d->devs[0] = (struct dt_device){ .kind = DT_DEV_UART16550, .compatible = "ns16550a",
					 .base = LAYOUT_UART_BASE, .size = LAYOUT_UART_SIZE,
					 .spi = 0 };
	d->stdout_dev = 0;
}

/* GICv3, redistributors for 2 vcpus just below LAYOUT_GICR_TOP (arm64/gic.c). */
static void desc_v3(struct dt_desc *d)
{
	desc_common(d);
	d->gic = DT_GICV3;
	d->gicr_size = 2 * LAYOUT_GICR_STRIDE;
	d->gicr_base = LAYOUT_GICR_TOP - d->gicr_size;
}

static void desc_v2(struct dt_desc *d)
{
	desc_common(d);
	d->gic = DT_GICV2;
	d->gicc_base = LAYOUT_GICC_BASE;
	d->gicc_size = LAYOUT_GICC_SIZE;
}

/* Builds *d into fdt[], which must succeed and pass libfdt's full check. */
static void build(const struct dt_desc *d)
{
	struct err e = { 0 };
	int ret;

	memset(fdt, 0xa5, sizeof(fdt));
	ret = fdt_build(d, fdt, sizeof(fdt), &e);
	ck_assert_msg(ret > 0, "fdt_build = %d: %s", ret, e.msg);
	ck_assert_str_eq(e.msg, "");
	ck_assert_int_eq(ret, (int)fdt_totalsize(fdt));
	ck_assert_int_eq(fdt_check_full(fdt, ret), 0);
}

static int node(const char *path)
{
	int off = fdt_path_offset(fdt, path);

	ck_assert_msg(off >= 0, "no node %s: %s", path, fdt_strerror(off));
	return off;
}

static const fdt32_t *prop(const char *path, const char *name, int *len)
{
	const fdt32_t *p = fdt_getprop(fdt, node(path), name, len);

	ck_assert_msg(p, "no property %s in %s", name, path);
	return p;
}

static void assert_str(const char *path, const char *name, const char *want)
{
	int len;
	const char *s = (const char *)prop(path, name, &len);

	ck_assert_int_eq(len, (int)strlen(want) + 1);
	ck_assert_str_eq(s, want);
}

/* The property is exactly the n cells of want. */
static void assert_cells(const char *path, const char *name, const uint32_t *want, int n)
{
	int len, i;
	const fdt32_t *p = prop(path, name, &len);

	ck_assert_msg(len == n * 4, "%s/%s: %d bytes, want %d", path, name, len, n * 4);
	for (i = 0; i < n; i++)
		ck_assert_msg(fdt32_to_cpu(p[i]) == want[i], "%s/%s cell %d: 0x%x, want 0x%x", path,
			      name, i, fdt32_to_cpu(p[i]), want[i]);
}

static void assert_u32(const char *path, const char *name, uint32_t want)
{
	assert_cells(path, name, &want, 1);
}

static void assert_u64(const char *path, const char *name, uint64_t want)
{
	uint32_t cells[2] = { want >> 32, (uint32_t)want };

	assert_cells(path, name, cells, 2);
}

static void assert_no_prop(const char *path, const char *name)
{
	ck_assert_msg(!fdt_getprop(fdt, node(path), name, NULL), "%s has %s", path, name);
}

START_TEST(test_root)
{
	struct dt_desc d;

	desc_v3(&d);
	build(&d);
	assert_str("/", "compatible", "linux,dummy-virt");
	assert_u32("/", "#address-cells", 2);
	assert_u32("/", "#size-cells", 2);
	assert_u32("/", "interrupt-parent", 1);
	ck_assert_uint_eq(fdt_num_mem_rsv(fdt), 0);
}
END_TEST

START_TEST(test_chosen)
{
	struct dt_desc d;
	const char *path;
	int len;

	desc_v3(&d);
	build(&d);
	assert_str("/chosen", "bootargs", BOOTARGS);
	assert_str("/chosen", "stdout-path", "/uart@1000000");
	assert_u64("/chosen", "linux,initrd-start", 0x8fcdc000);
	assert_u64("/chosen", "linux,initrd-end", 0x8fcdc000 + 0x123456);
	/* stdout-path resolves to the UART node. */
	path = fdt_getprop(fdt, node("/chosen"), "stdout-path", &len);
	ck_assert_int_eq(fdt_node_offset_by_compatible(fdt, -1, "ns16550a"), node(path));
}
END_TEST

START_TEST(test_chosen_minimal)
{
	struct dt_desc d;

	desc_v3(&d);
	d.bootargs = NULL;
	d.initrd_start = d.initrd_end = 0;
	d.stdout_dev = -1;
	build(&d);
	node("/chosen");
	assert_no_prop("/chosen", "bootargs");
	assert_no_prop("/chosen", "stdout-path");
	assert_no_prop("/chosen", "linux,initrd-start");
	assert_no_prop("/chosen", "linux,initrd-end");
}
END_TEST

START_TEST(test_chosen_stdout_out_of_range)
{
	struct dt_desc d;

	desc_v3(&d);
	d.stdout_dev = 1;	/* only devs[0] exists */
	build(&d);
	assert_no_prop("/chosen", "stdout-path");
}
END_TEST

START_TEST(test_memory)
{
	static const uint32_t reg[] = { 0, 0x80000000, 0, 0x10000000 };
	struct dt_desc d;

	desc_v3(&d);
	build(&d);
	assert_str("/memory@80000000", "device_type", "memory");
	assert_cells("/memory@80000000", "reg", reg, 4);
}
END_TEST

START_TEST(test_memory_above_4g)
{
	static const uint32_t reg[] = { 0, 0x80000000, 0x2, 0x00000000 };
	struct dt_desc d;

	desc_v3(&d);
	d.ram_size = 8ULL << 30;
	build(&d);
	assert_cells("/memory@80000000", "reg", reg, 4);
}
END_TEST

START_TEST(test_cpus)
{
	struct dt_desc d;
	int off, n = 0;

	desc_v3(&d);
	build(&d);
	assert_u32("/cpus", "#address-cells", 1);
	assert_u32("/cpus", "#size-cells", 0);
	/* reg is the MPIDR affinity Aff2..Aff0, without bit 31. */
	assert_u32("/cpus/cpu@0", "reg", 0);
	assert_u32("/cpus/cpu@101", "reg", 0x101);
	assert_str("/cpus/cpu@0", "device_type", "cpu");
	assert_str("/cpus/cpu@0", "enable-method", "psci");
	assert_str("/cpus/cpu@101", "enable-method", "psci");
	assert_str("/cpus/cpu@0", "compatible", "arm,arm-v8");
	fdt_for_each_subnode(off, fdt, node("/cpus"))
		n++;
	ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(test_psci)
{
	struct dt_desc d;
	int off;

	desc_v3(&d);
	build(&d);
	off = node("/psci");
	ck_assert_int_eq(fdt_stringlist_count(fdt, off, "compatible"), 2);
	ck_assert_str_eq(fdt_stringlist_get(fdt, off, "compatible", 0, NULL), "arm,psci-0.2");
	ck_assert_str_eq(fdt_stringlist_get(fdt, off, "compatible", 1, NULL), "arm,psci");
	assert_str("/psci", "method", "hvc");
}
END_TEST

START_TEST(test_gic_v3)
{
	static const uint32_t reg[] = {
		0, 0x3fff0000, 0, 0x10000,	/* distributor */
		0, 0x3ff90000, 0, 0x40000,	/* redistributors: 2 x 128 KiB below 0x3ffd0000 */
	};
	struct dt_desc d;
	int off;

	desc_v3(&d);
	build(&d);
	off = node("/intc@3fff0000");
	assert_str("/intc@3fff0000", "compatible", "arm,gic-v3");
	assert_cells("/intc@3fff0000", "reg", reg, 8);
	assert_u32("/intc@3fff0000", "#interrupt-cells", 3);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, off, "interrupt-controller", NULL));
	ck_assert_uint_eq(fdt_get_phandle(fdt, off), 1);
	ck_assert_int_eq(fdt_node_offset_by_phandle(fdt, 1), off);
}
END_TEST

START_TEST(test_gic_v2)
{
	static const uint32_t reg[] = {
		0, 0x3fff0000, 0, 0x10000,	/* distributor */
		0, 0x3ffd0000, 0, 0x20000,	/* CPU interface */
	};
	struct dt_desc d;
	int off;

	desc_v2(&d);
	build(&d);
	off = node("/intc@3fff0000");
	assert_str("/intc@3fff0000", "compatible", "arm,cortex-a15-gic");
	assert_cells("/intc@3fff0000", "reg", reg, 8);
	assert_u32("/intc@3fff0000", "#interrupt-cells", 3);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, off, "interrupt-controller", NULL));
	ck_assert_uint_eq(fdt_get_phandle(fdt, off), 1);
}
END_TEST

/* Timer PPIs as the DT numbers them: secure, non-secure physical, virtual, hypervisor. */
static void assert_timer(uint32_t flags)
{
	const uint32_t want[] = { 1, 13, flags, 1, 14, flags, 1, 11, flags, 1, 10, flags };

	assert_str("/timer", "compatible", "arm,armv8-timer");
	assert_cells("/timer", "interrupts", want, 12);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, node("/timer"), "always-on", NULL));
}

START_TEST(test_timer_v3)
{
	struct dt_desc d;

	desc_v3(&d);
	build(&d);
	assert_timer(0x8);	/* level low, no CPU mask */
}
END_TEST

START_TEST(test_timer_v2)
{
	struct dt_desc d;

	desc_v2(&d);
	build(&d);
	assert_timer(0x8 | 0x300);	/* CPU mask for 2 cpus in bits 8..15 */
}
END_TEST

START_TEST(test_timer_v2_8cpus)
{
	struct dt_desc d;

	desc_v2(&d);
	d.nr_cpus = 8;
	d.mpidr = mpidr8;
	build(&d);
	assert_timer(0x8 | 0xff00);
	assert_u32("/cpus/cpu@7", "reg", 7);
}
END_TEST

START_TEST(test_pmu_v3)
{
	static const uint32_t irq[] = { 1, 7, 4 };	/* PPI, INTID 23 - 16, level high */
	struct dt_desc d;

	desc_v3(&d);
	build(&d);
	assert_str("/pmu", "compatible", "arm,armv8-pmuv3");
	assert_cells("/pmu", "interrupts", irq, 3);
}
END_TEST

START_TEST(test_pmu_v3_other_intid)
{
	static const uint32_t irq[] = { 1, 15, 4 };
	struct dt_desc d;

	desc_v3(&d);
	d.pmu_intid = 31;
	build(&d);
	assert_cells("/pmu", "interrupts", irq, 3);
}
END_TEST

START_TEST(test_pmu_v2)
{
	static const uint32_t irq[] = { 1, 7, 0x304 };	/* level high + CPU mask for 2 cpus */
	struct dt_desc d;

	desc_v2(&d);
	build(&d);
	assert_str("/pmu", "compatible", "arm,armv8-pmuv3");
	assert_cells("/pmu", "interrupts", irq, 3);
}
END_TEST

START_TEST(test_pmu_absent)
{
	struct dt_desc d;

	desc_v3(&d);
	d.pmu = false;
	build(&d);
	ck_assert_int_eq(fdt_path_offset(fdt, "/pmu"), -FDT_ERR_NOTFOUND);
	ck_assert_int_eq(fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-pmuv3"),
			 -FDT_ERR_NOTFOUND);
}
END_TEST

START_TEST(test_uart)
{
	static const uint32_t reg[] = { 0, 0x1000000, 0, 0x1000 };
	static const uint32_t irq[] = { 0, 5, 4 };	/* SPI 5 (INTID 37), level high */
	struct dt_desc d;

	desc_v3(&d);
	d.devs[0].spi = 5;
	build(&d);
	assert_str("/uart@1000000", "compatible", "ns16550a");
	assert_cells("/uart@1000000", "reg", reg, 4);
	assert_cells("/uart@1000000", "interrupts", irq, 3);
	assert_u32("/uart@1000000", "clock-frequency", 1843200);
	assert_no_prop("/uart@1000000", "dma-coherent");
}
END_TEST

START_TEST(test_virtio_device)
{
	static const uint32_t reg[] = { 0, 0x1002000, 0, 0x200 };
	static const uint32_t irq[] = { 0, 1, 1 };	/* edge rising: KVM's irqfd pulses it */
	struct dt_desc d;

	desc_v3(&d);
	d.nr_devs = 2;
	d.devs[1] = (struct dt_device){ .kind = DT_DEV_VIRTIO_MMIO, .compatible = "virtio,mmio",
					.base = 0x1002000, .size = 0x200, .spi = 1 };
	build(&d);
	assert_str("/virtio_mmio@1002000", "compatible", "virtio,mmio");
	assert_cells("/virtio_mmio@1002000", "reg", reg, 4);
	assert_cells("/virtio_mmio@1002000", "interrupts", irq, 3);
	ck_assert_ptr_nonnull(fdt_getprop(fdt, node("/virtio_mmio@1002000"), "dma-coherent", NULL));
	assert_no_prop("/virtio_mmio@1002000", "clock-frequency");
	assert_str("/chosen", "stdout-path", "/uart@1000000");
}
END_TEST

START_TEST(test_exit_device)
{
	static const uint32_t reg[] = { 0, 0x1001000, 0, 0x1000 };
	struct dt_desc d;

	desc_v3(&d);
	d.nr_devs = 2;
	d.devs[1] = (struct dt_device){ .kind = DT_DEV_EXIT, .compatible = "lkvm,exit",
					.base = LAYOUT_EXIT_BASE, .size = LAYOUT_EXIT_SIZE, .spi = 1 };
	build(&d);
	assert_str("/exit@1001000", "compatible", "lkvm,exit");
	assert_cells("/exit@1001000", "reg", reg, 4);
	/* It raises no interrupt. */
	assert_no_prop("/exit@1001000", "interrupts");
	assert_no_prop("/exit@1001000", "clock-frequency");
	assert_no_prop("/exit@1001000", "dma-coherent");
}
END_TEST

START_TEST(test_too_small_buffer)
{
	static uint8_t small[256];
	struct dt_desc d;
	struct err e = { 0 };

	desc_v3(&d);
	ck_assert_int_eq(fdt_build(&d, small, sizeof(small), &e), -ENOSPC);
	ck_assert_int_eq(e.errnum, ENOSPC);
	ck_assert_str_eq(e.msg, "device tree: FDT_ERR_NOSPACE");
}
END_TEST

START_TEST(test_bad_description)
{
	struct dt_desc d;
	struct err e = { 0 };

	desc_v3(&d);
	d.nr_cpus = 0;
	ck_assert_int_eq(fdt_build(&d, fdt, sizeof(fdt), &e), -EINVAL);
	ck_assert_str_eq(e.msg, "device tree: bad machine description");

	err_clear(&e);
	desc_v3(&d);
	d.mpidr = NULL;
	ck_assert_int_eq(fdt_build(&d, fdt, sizeof(fdt), &e), -EINVAL);

	err_clear(&e);
	desc_v3(&d);
	d.nr_devs = DT_MAX_DEVICES + 1;
	ck_assert_int_eq(fdt_build(&d, fdt, sizeof(fdt), &e), -EINVAL);
}
END_TEST

static Suite *fdt_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_chosen);
	tcase_add_test(tc, test_chosen_minimal);
	tcase_add_test(tc, test_chosen_stdout_out_of_range);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_memory_above_4g);
	tcase_add_test(tc, test_cpus);
	tcase_add_test(tc, test_psci);
	tcase_add_test(tc, test_gic_v3);
	tcase_add_test(tc, test_gic_v2);
	tcase_add_test(tc, test_timer_v3);
	tcase_add_test(tc, test_timer_v2);
	tcase_add_test(tc, test_timer_v2_8cpus);
	tcase_add_test(tc, test_pmu_v3);
	tcase_add_test(tc, test_pmu_v3_other_intid);
	tcase_add_test(tc, test_pmu_v2);
	tcase_add_test(tc, test_pmu_absent);
	tcase_add_test(tc, test_uart);
	tcase_add_test(tc, test_virtio_device);
	tcase_add_test(tc, test_exit_device);
	tcase_add_test(tc, test_too_small_buffer);
	tcase_add_test(tc, test_bad_description);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fdt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
