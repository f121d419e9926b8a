/* fdt.c: builds the guest's flattened device tree from a struct dt_desc with libfdt's sequential-write API. */
#include <errno.h>
#include <stdio.h>
#include <libfdt.h>

#include "fdt/fdt.h"

#define PHANDLE_GIC		1

/* GIC interrupt specifier cells (bindings/interrupt-controller/arm,gic*.yaml). */
#define GIC_SPI			0
#define GIC_PPI			1
#define IRQ_EDGE_RISING		1
#define IRQ_LEVEL_HIGH		4
#define IRQ_LEVEL_LOW		8

/*
 * Architected timer PPIs as the DT numbers them (INTID - 16): secure phys,
 * non-secure phys, virtual, hyp; KVM's defaults are INTIDs 29, 30, 27, 26.
 */
static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

struct builder {
	void *fdt;
	int err;
};

/* Wrappers that latch the first libfdt error so the builder reads as a plain sequence. */
static void chk(struct builder *b, int ret)
{
	if (ret < 0 && !b->err)
		b->err = ret;
}

static void begin(struct builder *b, const char *name)
{
	chk(b, fdt_begin_node(b->fdt, name));
}

static void end(struct builder *b)
{
	chk(b, fdt_end_node(b->fdt));
}

static void prop_str(struct builder *b, const char *name, const char *s)
{
	chk(b, fdt_property_string(b->fdt, name, s));
}

static void prop_u32(struct builder *b, const char *name, uint32_t v)
{
	chk(b, fdt_property_u32(b->fdt, name, v));
}

static void prop_u64(struct builder *b, const char *name, uint64_t v)
{
	chk(b, fdt_property_u64(b->fdt, name, v));
}

static void prop_empty(struct builder *b, const char *name)
{
	chk(b, fdt_property(b->fdt, name, NULL, 0));
}

static void prop_cells(struct builder *b, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t be[16];
	unsigned i;

	for (i = 0; i < n && i < 16; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	chk(b, fdt_property(b->fdt, name, be, n * sizeof(be[0])));
}

/* A reg of (base, size) pairs with #address-cells = #size-cells = 2. */
static void prop_reg(struct builder *b, const uint64_t *pairs, unsigned npairs)
{
	uint32_t cells[16];
	unsigned i;

	for (i = 0; i < npairs && i < 4; i++) {
		cells[4 * i + 0] = pairs[2 * i] >> 32;
		cells[4 * i + 1] = (uint32_t)pairs[2 * i];
		cells[4 * i + 2] = pairs[2 * i + 1] >> 32;
		cells[4 * i + 3] = (uint32_t)pairs[2 * i + 1];
	}
	prop_cells(b, "reg", cells, npairs * 4);
}

static void node_name(char *buf, size_t len, const char *name, uint64_t addr)
{
	snprintf(buf, len, "%s@%llx", name, (unsigned long long)addr);
}

/* GICv2 PPIs carry a mask of the CPUs they target in bits [15:8] of the flags cell. */
static uint32_t ppi_flags(const struct dt_desc *d, uint32_t trigger)
{
	unsigned n = d->nr_cpus > 8 ? 8 : d->nr_cpus;

	if (d->gic != DT_GICV2)
		return trigger;
	return trigger | (((1U << n) - 1) << 8);
}

static void add_cpus(struct builder *b, const struct dt_desc *d)
{
	unsigned i;

	begin(b, "cpus");
	prop_u32(b, "#address-cells", 1);
	prop_u32(b, "#size-cells", 0);
	for (i = 0; i < d->nr_cpus; i++) {
		/* reg is MPIDR_EL1's affinity fields Aff2..Aff0 (bindings/arm/cpus.yaml). */
		uint32_t reg = d->mpidr[i] & 0xffffffULL;
		char name[32];

		node_name(name, sizeof(name), "cpu", reg);
		begin(b, name);
		prop_str(b, "device_type", "cpu");
		prop_str(b, "compatible", "arm,arm-v8");
		prop_str(b, "enable-method", "psci");
		prop_u32(b, "reg", reg);
		end(b);
	}
	end(b);
}

static void add_memory(struct builder *b, const struct dt_desc *d)
{
	uint64_t reg[2] = { d->ram_base, d->ram_size };
	char name[32];

	node_name(name, sizeof(name), "memory", d->ram_base);
	begin(b, name);
	prop_str(b, "device_type", "memory");
	prop_reg(b, reg, 1);
	end(b);
}

static void add_gic(struct builder *b, const struct dt_desc *d)
{
	uint64_t reg[4] = { d->gicd_base, d->gicd_size };
	char name[32];

	if (d->gic == DT_GICV3) {
		reg[2] = d->gicr_base;
		reg[3] = d->gicr_size;
	} else {
		reg[2] = d->gicc_base;
		reg[3] = d->gicc_size;
	}
	node_name(name, sizeof(name), "intc", d->gicd_base);
	begin(b, name);
	prop_str(b, "compatible", d->gic == DT_GICV3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	prop_u32(b, "#interrupt-cells", 3);
	prop_empty(b, "interrupt-controller");
	prop_reg(b, reg, 2);
	prop_u32(b, "phandle", PHANDLE_GIC);
	end(b);
}

static void add_timer(struct builder *b, const struct dt_desc *d)
{
	uint32_t irqs[12];
	unsigned i;

	for (i = 0; i < 4; i++) {
		irqs[3 * i] = GIC_PPI;
		irqs[3 * i + 1] = timer_ppis[i];
		irqs[3 * i + 2] = ppi_flags(d, IRQ_LEVEL_LOW);
	}
	begin(b, "timer");
	prop_str(b, "compatible", "arm,armv8-timer");
	prop_cells(b, "interrupts", irqs, 12);
	prop_empty(b, "always-on");
	end(b);
}

static void add_pmu(struct builder *b, const struct dt_desc *d)
{
	uint32_t irq[3] = { GIC_PPI, d->pmu_intid - 16, ppi_flags(d, IRQ_LEVEL_HIGH) };

	if (!d->pmu)
		return;
	begin(b, "pmu");
	prop_str(b, "compatible", "arm,armv8-pmuv3");
	prop_cells(b, "interrupts", irq, 3);
	end(b);
}

static void add_psci(struct builder *b)
{
	/* KVM implements PSCI 0.2+ through HVC when KVM_ARM_VCPU_PSCI_0_2 is set. */
	begin(b, "psci");
	chk(b, fdt_property(b->fdt, "compatible", "arm,psci-0.2\0arm,psci", sizeof("arm,psci-0.2\0arm,psci")));
	prop_str(b, "method", "hvc");
	end(b);
}

static const char *const dev_node_names[] = {
	[DT_DEV_UART16550] = "uart",
	[DT_DEV_VIRTIO_MMIO] = "virtio_mmio",
	[DT_DEV_EXIT] = "exit",
};

static void dev_node_name(char *buf, size_t len, const struct dt_device *dev)
{
	node_name(buf, len, dev_node_names[dev->kind], dev->base);
}

/*
 * The 16550 interrupt is level-high (the UART holds it while a cause is
 * pending); virtio-mmio's is edge-rising because KVM's irqfd injects a pulse.
 * The exit device has no interrupt.
 */
static void add_device(struct builder *b, const struct dt_device *dev)
{
	uint64_t reg[2] = { dev->base, dev->size };
	uint32_t irq[3] = { GIC_SPI, dev->spi, IRQ_LEVEL_HIGH };
	char name[48];

	dev_node_name(name, sizeof(name), dev);
	begin(b, name);
	prop_str(b, "compatible", dev->compatible);
	prop_reg(b, reg, 1);
	switch (dev->kind) {
	case DT_DEV_UART16550:
		prop_cells(b, "interrupts", irq, 3);
		prop_u32(b, "clock-frequency", 1843200);
		break;
	case DT_DEV_VIRTIO_MMIO:
		irq[2] = IRQ_EDGE_RISING;
		prop_cells(b, "interrupts", irq, 3);
		prop_empty(b, "dma-coherent");
		break;
	case DT_DEV_EXIT:
		break;
	}
	end(b);
}

static void add_chosen(struct builder *b, const struct dt_desc *d)
{
	begin(b, "chosen");
	if (d->bootargs)
		prop_str(b, "bootargs", d->bootargs);
	if (d->stdout_dev >= 0 && (unsigned)d->stdout_dev < d->nr_devs) {
		char path[64] = "/";

		dev_node_name(path + 1, sizeof(path) - 1, &d->devs[d->stdout_dev]);
		prop_str(b, "stdout-path", path);
	}
	if (d->initrd_end > d->initrd_start) {
		prop_u64(b, "linux,initrd-start", d->initrd_start);
		prop_u64(b, "linux,initrd-end", d->initrd_end);
	}
	end(b);
}

int fdt_build(const struct dt_desc *d, void *buf, size_t size, struct err *e)
{
	struct builder b = { .fdt = buf };
	unsigned i;

	if (d->nr_devs > DT_MAX_DEVICES || !d->nr_cpus || !d->mpidr)
		return err_set(e, EINVAL, "device tree: bad machine description");
	chk(&b, fdt_create(buf, size));
	chk(&b, fdt_finish_reservemap(buf));
	begin(&b, "");
	prop_str(&b, "compatible", "linux,dummy-virt");
	prop_u32(&b, "#address-cells", 2);
	prop_u32(&b, "#size-cells", 2);
	prop_u32(&b, "interrupt-parent", PHANDLE_GIC);
	add_chosen(&b, d);
	add_memory(&b, d);
	add_cpus(&b, d);
	add_psci(&b);
	add_gic(&b, d);
	add_timer(&b, d);
	add_pmu(&b, d);
	for (i = 0; i < d->nr_devs; i++)
		add_device(&b, &d->devs[i]);
	end(&b);
	chk(&b, fdt_finish(buf));
	if (b.err)
		return err_set(e, b.err == -FDT_ERR_NOSPACE ? ENOSPC : EINVAL,
			       "device tree: %s", fdt_strerror(b.err));
	return fdt_totalsize(buf);
}
