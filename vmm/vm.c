/* vm.c: VM lifecycle: /dev/kvm checks, guest RAM, devices, vcpus, device tree, and teardown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "arm64/layout.h"
#include "devices/devices.h"
#include "fdt/fdt.h"
#include "vmm/arch.h"
#include "vmm/exit.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define MIB (1024ULL * 1024)
#define DEFAULT_CMDLINE "console=ttyS0 earlycon=uart8250,mmio,0x1000000 panic=-1"

struct required_cap {
	long cap;
	const char *name;
};

/* Capabilities every lkvm VM relies on (KVM API section 8 / 4.x). */
static const struct required_cap required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int open_kvm(struct vm *vm, struct err *e)
{
	int version;
	size_t i;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return err_sys(e, errno, "cannot open /dev/kvm (is KVM enabled on this host?)");
	version = KVM_IOCTL(vm->kvm_fd, KVM_GET_API_VERSION, 0, e);
	if (version < 0)
		return version;
	if (version != KVM_API_VERSION)
		return err_set(e, ENOTSUP, "KVM API version %d, lkvm needs %d", version,
			       KVM_API_VERSION);
	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (!kvm_check_cap(vm->kvm_fd, required_caps[i].cap))
			return err_set(e, ENOTSUP, "host KVM lacks %s", required_caps[i].name);
	return 0;
}

static int check_ram_size(const struct vm_config *cfg, struct err *e)
{
	struct sysinfo si;
	uint64_t host;

	if (sysinfo(&si))
		return err_sys(e, errno, "sysinfo");
	host = (uint64_t)si.totalram * si.mem_unit;
	if (cfg->mem_mib > host / MIB)
		return err_set(e, ENOMEM, "--mem %llu MiB is more than the host's %llu MiB of RAM",
			       (unsigned long long)cfg->mem_mib, (unsigned long long)(host / MIB));
	return 0;
}

static int create_vm(struct vm *vm, struct err *e)
{
	struct kvm_userspace_memory_region region;
	unsigned long type;
	int ret;

	ret = check_ram_size(vm->cfg, e);
	if (ret)
		return ret;
	vm->ram_base = arch_ram_base();
	vm->ram_size = vm->cfg->mem_mib * MIB;
	ret = arch_vm_type(vm->kvm_fd, vm->ram_base + vm->ram_size, &type, e);
	if (ret)
		return ret;
	vm->vm_fd = KVM_IOCTL(vm->kvm_fd, KVM_CREATE_VM, type, e);
	if (vm->vm_fd < 0)
		return vm->vm_fd;

	/* NORESERVE: untouched guest RAM costs the host nothing. */
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		return err_sys(e, errno, "cannot map %llu MiB of guest RAM",
			       (unsigned long long)vm->cfg->mem_mib);
	}
	madvise(vm->ram, vm->ram_size, MADV_HUGEPAGE);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = vm->ram_base,
		.memory_size = vm->ram_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	ret = KVM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region, e);
	return ret < 0 ? ret : 0;
}

void *vm_gpa_to_host(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (gpa < vm->ram_base)
		return NULL;
	off = gpa - vm->ram_base;
	if (off > vm->ram_size || len > vm->ram_size - off)
		return NULL;
	return vm->ram + off;
}

/* device_host callbacks: the devices' only way to the outside. */
static void host_set_irq(void *ctx, unsigned spi, int level)
{
	struct vm *vm = ctx;
	struct err e = { 0 };

	if (arch_set_spi(vm, spi, level, &e))
		vm_stop(vm, LKVM_EXIT_ERROR, &e);
}

static void host_console_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct vm *vm = ctx;

	while (len) {
		ssize_t n = write(vm->out_fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* output closed: the guest runs on, unheard */
		buf += n;
		len -= n;
	}
}

static void host_console_ready(void *ctx)
{
	struct vm *vm = ctx;
	uint64_t one = 1;

	if (write(vm->console_ready_fd, &one, sizeof(one)) < 0)
		pr_debug("console: eventfd write: %s", strerror(errno));
}

static int add_device(struct vm *vm, const struct device_slot *slot, struct err *e)
{
	struct device *dev = &vm->devs[vm->nr_devs];
	int ret;

	if (vm->nr_devs == DT_MAX_DEVICES)
		return err_set(e, ENOSPC, "too many devices");
	dev->ops = slot->ops;
	dev->size = slot->ops->mmio_size;
	dev->base = slot->fixed_base;
	dev->host = &vm->host;
	if (!dev->base) {
		ret = resources_alloc_mmio(&vm->res, dev->size, &dev->base, e);
		if (ret)
			return ret;
	}
	ret = resources_alloc_spi(&vm->res, &dev->spi, e);
	if (ret)
		return ret;
	ret = dev->ops->init(dev, e);
	if (ret)
		return ret;
	pthread_mutex_init(&dev->lock, NULL);
	if (slot->is_console)
		vm->console = dev;
	vm->nr_devs++;
	return 0;
}

static int create_devices(struct vm *vm, struct err *e)
{
	unsigned i;
	int ret;

	vm->host = (struct device_host){
		.ctx = vm,
		.set_irq = host_set_irq,
		.console_out = host_console_out,
		.console_ready = host_console_ready,
	};
	resources_init(&vm->res, LAYOUT_MMIO_BASE, LAYOUT_MMIO_END, LAYOUT_NR_SPIS);
	for (i = 0; i < device_table_len; i++) {
		if (device_table[i].wanted && !device_table[i].wanted(vm->cfg))
			continue;
		ret = add_device(vm, &device_table[i], e);
		if (ret)
			return ret;
	}
	return 0;
}

static int create_vcpu(struct vm *vm, struct vcpu *vcpu, unsigned id, struct err *e)
{
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = KVM_IOCTL(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id, e);
	if (vcpu->fd < 0)
		return vcpu->fd;
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return err_sys(e, errno, "vcpu %u: mmap of kvm_run", id);
	}
	return arch_vcpu_init(vm, vcpu, e);
}

static int create_vcpus(struct vm *vm, struct err *e)
{
	unsigned i, kvm_max = kvm_check_cap(vm->kvm_fd, KVM_CAP_MAX_VCPUS);
	int ret;

	if (!kvm_max)
		kvm_max = kvm_check_cap(vm->kvm_fd, KVM_CAP_NR_VCPUS);
	if (vm->nr_vcpus > kvm_max)
		return err_set(e, EINVAL, "%u vcpus asked, host KVM allows at most %u",
			       vm->nr_vcpus, kvm_max);
	if (vm->nr_vcpus > arch_max_vcpus(vm))
		return err_set(e, EINVAL, "%u vcpus asked, the interrupt controller allows at most %u",
			       vm->nr_vcpus, arch_max_vcpus(vm));
	ret = KVM_IOCTL(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0, e);
	if (ret < 0)
		return ret;
	vm->run_size = ret;
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err_set(e, ENOMEM, "out of memory");
	for (i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].fd = -1;
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = create_vcpu(vm, &vm->vcpus[i], i, e);
		if (ret)
			return ret;
	}
	return 0;
}

static int build_cmdline(const struct vm_config *cfg, char *buf, size_t len, struct err *e)
{
	int n = snprintf(buf, len, "%s%s%s", cfg->nodefaults ? "" : DEFAULT_CMDLINE,
			 !cfg->nodefaults && cfg->params ? " " : "",
			 cfg->params ? cfg->params : "");

	if (n < 0 || (size_t)n >= len)
		return err_set(e, E2BIG, "kernel command line longer than %zu bytes", len - 1);
	return 0;
}

static int write_file(const char *path, const void *buf, size_t len, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return err_sys(e, errno, "--dump-dtb: cannot create %s", path);
	n = write(fd, buf, len);
	if (n != (ssize_t)len || close(fd)) {
		int err = n < 0 ? errno : EIO;

		if (n >= 0)
			close(fd);
		return err_sys(e, err, "--dump-dtb: cannot write %s", path);
	}
	return 0;
}

static int build_fdt(struct vm *vm, struct err *e)
{
	static const size_t fdt_size = 64 * 1024;
	struct dt_desc *d = calloc(1, sizeof(*d));
	uint64_t *mpidr = calloc(vm->nr_vcpus, sizeof(*mpidr));
	char cmdline[2048];
	void *fdt = calloc(1, fdt_size);
	unsigned i;
	size_t size;
	int ret;

	if (!d || !mpidr || !fdt) {
		ret = err_set(e, ENOMEM, "out of memory");
		goto out;
	}
	ret = build_cmdline(vm->cfg, cmdline, sizeof(cmdline), e);
	if (ret)
		goto out;
	for (i = 0; i < vm->nr_vcpus; i++)
		mpidr[i] = vm->vcpus[i].mpidr;
	d->nr_cpus = vm->nr_vcpus;
	d->mpidr = mpidr;
	d->ram_base = vm->ram_base;
	d->ram_size = vm->ram_size;
	d->bootargs = cmdline;
	d->stdout_dev = -1;
	for (i = 0; i < vm->nr_devs; i++) {
		const struct device *dev = &vm->devs[i];

		d->devs[i] = (struct dt_device){
			.kind = dev->ops->dt_kind,
			.compatible = dev->ops->compatible,
			.base = dev->base,
			.size = dev->size,
			.spi = dev->spi,
		};
		if (dev == vm->console)
			d->stdout_dev = i;
	}
	d->nr_devs = vm->nr_devs;
	arch_describe(vm, d);

	ret = fdt_build(d, fdt, fdt_size, e);
	if (ret < 0)
		goto out;
	size = ret;
	ret = vm->cfg->dump_dtb ? write_file(vm->cfg->dump_dtb, fdt, size, e) : 0;
	if (!ret)
		ret = arch_boot(vm, fdt, size, e);
out:
	free(fdt);
	free(mpidr);
	free(d);
	return ret;
}

static int create_eventfds(struct vm *vm, struct err *e)
{
	vm->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->stop_fd < 0)
		return err_sys(e, errno, "eventfd");
	vm->console_ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->console_ready_fd < 0)
		return err_sys(e, errno, "eventfd");
	return 0;
}

/* The PMU and placement plan comes first: a bad --pmu or affinity fails before KVM is touched. */
static int plan_cpus(struct vm *vm, const char *sysfs_root, struct err *e)
{
	struct cpuset process;
	int ret;

	ret = cpuset_get_affinity(&process, e);
	if (!ret)
		ret = vpmu_plan(&vm->vpmu, vm->cfg, sysfs_root, &process, e);
	if (ret)
		return ret;
	vm->nr_vcpus = vm->cfg->nr_cpus;
	if (!vm->nr_vcpus)
		vm->nr_vcpus = vpmu_usable_cpus(&vm->vpmu, &process);
	if (vm->nr_vcpus > LAYOUT_MAX_VCPUS)
		vm->nr_vcpus = LAYOUT_MAX_VCPUS;
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, const char *sysfs_root, struct err *e)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = vm->console_ready_fd = -1;
	vm->out_fd = STDOUT_FILENO;
	pthread_mutex_init(&vm->stop_lock, NULL);

	ret = plan_cpus(vm, sysfs_root, e);
	if (!ret)
		ret = create_eventfds(vm, e);
	if (!ret)
		ret = open_kvm(vm, e);
	if (!ret)
		ret = create_vm(vm, e);
	if (!ret)
		ret = vpmu_check_kvm(&vm->vpmu, vm->vm_fd, e);
	if (!ret)
		ret = create_devices(vm, e);
	if (!ret)
		ret = arch_vm_init(vm, e);
	if (!ret)
		ret = create_vcpus(vm, e);
	if (!ret)
		ret = arch_vcpus_ready(vm, e);
	if (!ret)
		ret = arch_load_images(vm, e);
	if (!ret)
		ret = build_fdt(vm, e);
	return ret;
}

void vm_stop(struct vm *vm, int status, const struct err *err)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->stopping) {
		vm->stopping = true;
		vm->exit_status = status;
		if (err && err->msg[0])
			vm->stop_err = *err;
		if (write(vm->stop_fd, &one, sizeof(one)) < 0)
			pr_err("cannot signal VM stop: %s", strerror(errno));
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

void vm_mmio(struct vm *vm, uint64_t addr, uint8_t *data, unsigned len, bool is_write)
{
	unsigned i;

	for (i = 0; i < vm->nr_devs; i++) {
		struct device *dev = &vm->devs[i];

		if (addr >= dev->base && addr - dev->base < dev->size) {
			pthread_mutex_lock(&dev->lock);
			dev->ops->mmio(dev, addr - dev->base, data, len, is_write);
			pthread_mutex_unlock(&dev->lock);
			return;
		}
	}
	/* Unclaimed: reads return zero, writes vanish; say so once per VM. */
	if (!atomic_exchange(&vm->unclaimed_logged, true))
		pr_warn("guest %s of %u bytes at 0x%llx: no device there (ignored; further ones not logged)",
			is_write ? "write" : "read", len, (unsigned long long)addr);
}

void vm_destroy(struct vm *vm)
{
	unsigned i;

	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	for (i = 0; i < vm->nr_devs; i++) {
		vm->devs[i].ops->teardown(&vm->devs[i]);
		pthread_mutex_destroy(&vm->devs[i].lock);
	}
	vm->nr_devs = 0;
	arch_vm_destroy(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->console_ready_fd >= 0)
		close(vm->console_ready_fd);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = vm->console_ready_fd = -1;
}
