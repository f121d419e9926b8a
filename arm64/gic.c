/* gic.c: the in-kernel vGICv3 (or vGICv2) through KVM_CREATE_DEVICE, placed per arm64/layout.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arm64/arm64.h"
#include "arm64/layout.h"
#include "vmm/kvm.h"
#include "vmm/log.h"

static int gic_set_addr(int fd, uint64_t type, uint64_t addr, const char *what, struct err *e)
{
	return kvm_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, type, &addr, what, e);
}

static int gic_create_device(struct vm *vm, uint32_t type, int *fd, struct err *e)
{
	struct kvm_create_device cd = { .type = type };
	int ret = KVM_IOCTL(vm->vm_fd, KVM_CREATE_DEVICE, &cd, e);

	if (ret < 0)
		return ret;
	*fd = cd.fd;
	return 0;
}

static int gic_v3_create(struct vm *vm, struct arch_vm *a, struct err *e)
{
	int ret = gic_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V3, &a->gic_fd, e);

	if (ret)
		return ret;
	a->gic = DT_GICV3;
	/* One RD_base + SGI_base frame pair per vcpu, growing down from LAYOUT_GICR_TOP. */
	a->gicr_size = vm->nr_vcpus * LAYOUT_GICR_STRIDE;
	a->gicr_base = LAYOUT_GICR_TOP - a->gicr_size;
	ret = gic_set_addr(a->gic_fd, KVM_VGIC_V3_ADDR_TYPE_DIST, LAYOUT_GICD_BASE,
			   "vGICv3 distributor address", e);
	if (ret)
		return ret;
	return gic_set_addr(a->gic_fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, a->gicr_base,
			    "vGICv3 redistributor address", e);
}

static int gic_v2_create(struct vm *vm, struct arch_vm *a, struct err *e)
{
	int ret = gic_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V2, &a->gic_fd, e);

	if (ret)
		return ret;
	a->gic = DT_GICV2;
	ret = gic_set_addr(a->gic_fd, KVM_VGIC_V2_ADDR_TYPE_DIST, LAYOUT_GICD_BASE,
			   "vGICv2 distributor address", e);
	if (ret)
		return ret;
	return gic_set_addr(a->gic_fd, KVM_VGIC_V2_ADDR_TYPE_CPU, LAYOUT_GICC_BASE,
			    "vGICv2 CPU interface address", e);
}

static void gic_close(struct arch_vm *a)
{
	if (a->gic_fd >= 0)
		close(a->gic_fd);
	a->gic_fd = -1;
}

/* --irqchip auto: a vGICv3 where KVM can, else a vGICv2 (e.g. GICv3 hardware with GICv2 compatibility). */
static int gic_create_auto(struct vm *vm, struct arch_vm *a, struct err *e)
{
	struct err v3 = { 0 }, v2 = { 0 };
	int ret;

	ret = gic_v3_create(vm, a, &v3);
	if (!ret)
		return 0;
	gic_close(a);
	pr_info("no vGICv3 (%s), trying vGICv2", v3.msg);
	ret = gic_v2_create(vm, a, &v2);
	if (ret)
		return err_set(e, -ret, "cannot create an in-kernel GIC: vGICv3: %s; vGICv2: %s",
			       v3.msg, v2.msg);
	return 0;
}

int gic_create(struct vm *vm, struct arch_vm *a, struct err *e)
{
	uint32_t nr_irqs = 32 + LAYOUT_NR_SPIS;	/* SGIs + PPIs, then our SPIs */
	struct err inner = { 0 };
	int ret;

	switch (vm->cfg->irqchip) {
	case IRQCHIP_GICV2:
		ret = gic_v2_create(vm, a, &inner);
		if (ret)
			return err_set(e, -ret, "cannot create the in-kernel GIC (--irqchip gicv2): %s", inner.msg);
		break;
	case IRQCHIP_GICV3:
		ret = gic_v3_create(vm, a, &inner);
		if (ret)
			return err_set(e, -ret, "cannot create the in-kernel GIC (--irqchip gicv3): %s", inner.msg);
		break;
	default:
		ret = gic_create_auto(vm, a, e);
		if (ret)
			return ret;
	}
	return kvm_set_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
			    "vGIC number of IRQs", e);
}

int gic_init(struct arch_vm *a, struct err *e)
{
	/* KVM_DEV_ARM_VGIC_CTRL_INIT: only once every vcpu exists (KVM devices/arm-vgic-v3.rst). */
	return kvm_set_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
			    "vGIC CTRL_INIT", e);
}

int arch_set_spi(struct vm *vm, unsigned spi, int level, struct err *e)
{
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + spi),
		.level = level,
	};
	int ret = KVM_IOCTL(vm->vm_fd, KVM_IRQ_LINE, &irq, e);

	return ret < 0 ? ret : 0;
}

unsigned arch_max_vcpus(const struct vm *vm)
{
	return vm->arch->gic == DT_GICV2 ? 8 : LAYOUT_MAX_VCPUS;
}
