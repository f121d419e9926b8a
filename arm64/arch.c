/* arch.c: arm64's side of vmm/arch.h: IPA size, vcpu init (KVM_ARM_VCPU_INIT), image loading and boot registers. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arm64/arm64.h"
#include "arm64/layout.h"
#include "vmm/kvm.h"
#include "vmm/log.h"

#define DEFAULT_IPA_BITS 40	/* what KVM gives VM type 0 */

/*
 * With --console virtio, hvc0 is named last so it becomes /dev/console once
 * the virtio_console driver is there; until then (a modular driver) the
 * kernel keeps ttyS0, so init always has a console.  earlycon covers the
 * boot before any driver, at kvmtool's UART address.
 */
const struct arch_limits arch_limits = {
	.ram_base = LAYOUT_RAM_BASE,
	.mmio_base = LAYOUT_MMIO_BASE,
	.mmio_end = LAYOUT_MMIO_END,
	.nr_spis = LAYOUT_NR_SPIS,
	.max_vcpus = LAYOUT_MAX_VCPUS,
	.cmdline_serial = "console=ttyS0 earlycon=uart8250,mmio,0x1000000 panic=-1",
	.cmdline_virtio = "console=ttyS0 console=hvc0 earlycon=uart8250,mmio,0x1000000 panic=-1",
};

static unsigned bits_needed(uint64_t end)
{
	unsigned bits = 32;

	while (bits < 64 && (end - 1) >> bits)
		bits++;
	return bits;
}

int arch_vm_type(int kvm_fd, uint64_t ipa_end, unsigned long *type, struct err *e)
{
	/* KVM_CAP_ARM_VM_IPA_SIZE gives the largest IPA size; 0 means fixed 40 bits. */
	unsigned max = kvm_check_cap(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);
	unsigned need = bits_needed(ipa_end);

	if (!max)
		max = DEFAULT_IPA_BITS;
	if (need > max)
		return err_set(e, ENOMEM,
			       "guest RAM up to 0x%llx needs a %u-bit guest physical address space; host KVM allows %u bits",
			       (unsigned long long)ipa_end, need, max);
	*type = kvm_check_cap(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE) ?
		KVM_VM_TYPE_ARM_IPA_SIZE(need < DEFAULT_IPA_BITS && max >= DEFAULT_IPA_BITS ?
					 DEFAULT_IPA_BITS : need) : 0;
	return 0;
}

int arch_vm_init(struct vm *vm, struct err *e)
{
	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch)
		return err_set(e, ENOMEM, "out of memory");
	vm->arch->gic_fd = -1;
	return gic_create(vm, vm->arch, e);
}

#define CORE_REG(name) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			KVM_REG_ARM_CORE_REG(name))
#define MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)

/* KVM_ARM_VCPU_INIT (KVM API 4.82); a second call resets the vcpu and must repeat the features. */
static int vcpu_init_ioctl(struct vm *vm, struct vcpu *vcpu, struct err *e)
{
	struct kvm_vcpu_init init = { 0 };
	int ret;

	/* KVM API 4.83: the target KVM prefers for this host, then our features. */
	ret = KVM_IOCTL(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init, e);
	if (ret < 0)
		return ret;
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	/* Secondaries wait for PSCI CPU_ON, which KVM handles. */
	if (vcpu->id)
		init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
	vpmu_vcpu_features(&vm->vpmu, &init);
	ret = KVM_IOCTL(vcpu->fd, KVM_ARM_VCPU_INIT, &init, e);
	return ret < 0 ? ret : 0;
}

int arch_vcpu_reset(struct vm *vm, struct vcpu *vcpu, struct err *e)
{
	/* The PMU keeps its SET_PMU/IRQ/INIT configuration across a vcpu reset. */
	return vcpu_init_ioctl(vm, vcpu, e);
}

int arch_vcpu_init(struct vm *vm, struct vcpu *vcpu, struct err *e)
{
	int ret;

	ret = vcpu_init_ioctl(vm, vcpu, e);
	if (ret)
		return ret;
	ret = vpmu_vcpu_configure(&vm->vpmu, vcpu->fd, vcpu->id, e);
	if (ret)
		return ret;
	return kvm_get_one_reg(vcpu->fd, MPIDR_EL1, &vcpu->mpidr, "MPIDR_EL1", e);
}

int arch_vcpus_ready(struct vm *vm, struct err *e)
{
	unsigned i;
	int ret;

	ret = gic_init(vm->arch, e);
	/* PMU INIT needs the initialised vGIC (pmu/vpmu.h, step 6). */
	for (i = 0; !ret && i < vm->nr_vcpus; i++)
		ret = vpmu_vcpu_init(&vm->vpmu, vm->vcpus[i].fd, e);
	return ret;
}

/* Reads all of path into guest RAM at gpa (the range was placed inside RAM). */
static int load_file(struct vm *vm, const char *what, int fd, uint64_t gpa, uint64_t size,
		     struct err *e)
{
	uint8_t *dst = vm_gpa_to_host(vm, gpa, size);
	uint64_t done = 0;

	if (!dst)
		return err_set(e, EFAULT, "%s does not fit in guest RAM", what);
	while (done < size) {
		ssize_t n = pread(fd, dst + done, size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, errno, "cannot read %s", what);
		if (n == 0)
			return err_set(e, EIO, "%s shrank while being read", what);
		done += n;
	}
	return 0;
}

static int open_regular(const char *what, const char *path, uint64_t *size, struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "%s '%s'", what, path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, EINVAL, "%s '%s' is not a regular file", what, path);
	}
	*size = st.st_size;
	return fd;
}

static int parse_kernel(int fd, uint64_t size, struct kernel_info *ki, struct err *e)
{
	uint8_t head[512];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n < 0)
		return err_sys(e, errno, "cannot read the kernel");
	return kernel_parse(head, n, size, ki, e);
}

int arch_load_images(struct vm *vm, struct err *e)
{
	struct arch_vm *a = vm->arch;
	uint64_t ksize, isize = 0;
	int kfd, ifd = -1, ret;

	kfd = open_regular("kernel", vm->cfg->kernel, &ksize, e);
	if (kfd < 0)
		return kfd;
	if (vm->cfg->initrd) {
		ifd = open_regular("initrd", vm->cfg->initrd, &isize, e);
		if (ifd < 0) {
			close(kfd);
			return ifd;
		}
	}
	ret = parse_kernel(kfd, ksize, &a->kernel, e);
	if (!ret)
		ret = boot_layout_place(vm->mem.gpa, vm->mem.size, &a->kernel, isize, &a->boot, e);
	if (!ret)
		ret = load_file(vm, "kernel", kfd, a->boot.kernel, ksize, e);
	if (!ret && ifd >= 0)
		ret = load_file(vm, "initrd", ifd, a->boot.initrd, isize, e);
	if (!ret && !a->kernel.has_header)
		pr_info("kernel has no arm64 Image header: loaded as a raw binary at 0x%llx",
			(unsigned long long)a->boot.kernel);
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return ret;
}

void arch_describe(const struct vm *vm, struct dt_desc *d)
{
	const struct arch_vm *a = vm->arch;

	d->gic = a->gic;
	d->gicd_base = LAYOUT_GICD_BASE;
	d->gicd_size = LAYOUT_GICD_SIZE;
	d->gicr_base = a->gicr_base;
	d->gicr_size = a->gicr_size;
	d->gicc_base = LAYOUT_GICC_BASE;
	d->gicc_size = LAYOUT_GICC_SIZE;
	d->pmu = vm->vpmu.enabled;
	d->pmu_intid = vm->vpmu.irq;
	if (a->boot.initrd_size) {
		d->initrd_start = a->boot.initrd;
		d->initrd_end = a->boot.initrd + a->boot.initrd_size;
	}
}

int arch_boot(struct vm *vm, const void *fdt, size_t fdt_size, struct err *e)
{
	const struct boot_layout *bl = &vm->arch->boot;
	void *dst = vm_gpa_to_host(vm, bl->fdt, LAYOUT_FDT_MAX_SIZE);
	/* Documentation/arch/arm64/booting.rst: x0 = DTB, x1..x3 = 0, PC = image start, EL1h, DAIF masked. */
	const struct { uint64_t id; uint64_t val; const char *name; } regs[] = {
		{ CORE_REG(regs.regs[0]), bl->fdt, "x0" },
		{ CORE_REG(regs.regs[1]), 0, "x1" },
		{ CORE_REG(regs.regs[2]), 0, "x2" },
		{ CORE_REG(regs.regs[3]), 0, "x3" },
		{ CORE_REG(regs.pstate), 0x3c5, "pstate" },
		{ CORE_REG(regs.pc), bl->kernel, "pc" },
	};
	unsigned i;
	int ret = 0;

	if (!dst || fdt_size > LAYOUT_FDT_MAX_SIZE)
		return err_set(e, EFAULT, "device tree does not fit in guest RAM");
	memcpy(dst, fdt, fdt_size);
	for (i = 0; !ret && i < sizeof(regs) / sizeof(regs[0]); i++)
		ret = kvm_set_one_reg(vm->vcpus[0].fd, regs[i].id, regs[i].val, regs[i].name, e);
	return ret;
}

void arch_vm_destroy(struct vm *vm)
{
	if (!vm->arch)
		return;
	if (vm->arch->gic_fd >= 0)
		close(vm->arch->gic_fd);
	free(vm->arch);
	vm->arch = NULL;
}
