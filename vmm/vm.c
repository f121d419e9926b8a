/* vm.c: VM lifecycle: /dev/kvm checks, guest RAM, devices, vcpus, device tree, and teardown. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "devices/devices.h"
#include "fdt/fdt.h"
#include "vmm/arch.h"
#include "vmm/exit.h"
#include "vmm/kvm.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define MIB (1024ULL * 1024)

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
	vm->mem.gpa = arch_limits.ram_base;
	vm->mem.size = vm->cfg->mem_mib * MIB;
	ret = arch_vm_type(vm->kvm_fd, vm->mem.gpa + vm->mem.size, &type, e);
	if (ret)
		return ret;
	vm->vm_fd = KVM_IOCTL(vm->kvm_fd, KVM_CREATE_VM, type, e);
	if (vm->vm_fd < 0)
		return vm->vm_fd;

	/* NORESERVE: untouched guest RAM costs the host nothing. */
	vm->mem.host = mmap(NULL, vm->mem.size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem.host == MAP_FAILED) {
		vm->mem.host = NULL;
		return err_sys(e, errno, "cannot map %llu MiB of guest RAM",
			       (unsigned long long)vm->cfg->mem_mib);
	}
	madvise(vm->mem.host, vm->mem.size, MADV_HUGEPAGE);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = vm->mem.gpa,
		.memory_size = vm->mem.size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem.host,
	};
	ret = KVM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region, e);
	return ret < 0 ? ret : 0;
}

void *vm_gpa_to_host(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gmem_ptr(&vm->mem, gpa, len);
}

/* device_host callbacks: the devices' only way to the outside. */
static void host_set_irq(void *ctx, unsigned spi, int level)
{
	struct vm *vm = ctx;
	struct err e = { 0 };

	if (arch_set_spi(vm, spi, level, &e))
		vm_stop(vm, LKVM_EXIT_ERROR, &e);
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* output closed: the guest runs on, unheard */
		buf += n;
		len -= n;
	}
}

static void host_console_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct vm *vm = ctx;

	write_all(vm->out_fd, buf, len);
	if (vm->log_fd >= 0)
		write_all(vm->log_fd, buf, len);
}

static void host_console_ready(void *ctx)
{
	struct vm *vm = ctx;
	uint64_t one = 1;

	if (write(vm->console_ready_fd, &one, sizeof(one)) < 0)
		pr_debug("console: eventfd write: %s", strerror(errno));
}

static int host_ioeventfd(void *ctx, uint64_t addr, uint32_t match, struct err *e)
{
	struct vm *vm = ctx;
	struct kvm_ioeventfd io = {
		.datamatch = match,
		.addr = addr,
		.len = 4,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};
	int ret;

	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_IOEVENTFD))
		return err_set(e, ENOTSUP, "host KVM lacks KVM_CAP_IOEVENTFD");
	io.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io.fd < 0)
		return err_sys(e, errno, "eventfd");
	ret = KVM_IOCTL(vm->vm_fd, KVM_IOEVENTFD, &io, e);
	if (ret < 0) {
		close(io.fd);
		return ret;
	}
	return io.fd;
}

static int host_irqfd(void *ctx, unsigned spi, struct err *e)
{
	struct vm *vm = ctx;
	/* With the vGIC's default routing, GSI n is SPI n (INTID 32 + n). */
	struct kvm_irqfd irqfd = { .gsi = spi };
	int ret;

	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_IRQFD))
		return err_set(e, ENOTSUP, "host KVM lacks KVM_CAP_IRQFD");
	irqfd.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if ((int)irqfd.fd < 0)
		return err_sys(e, errno, "eventfd");
	ret = KVM_IOCTL(vm->vm_fd, KVM_IRQFD, &irqfd, e);
	if (ret < 0) {
		close(irqfd.fd);
		return ret;
	}
	return irqfd.fd;
}

int vm_watch_fd(struct vm *vm, int fd, void (*cb)(void *arg), void *arg, struct err *e)
{
	if (vm->nr_watches == VM_MAX_WATCHES)
		return err_set(e, ENOSPC, "too many event sources for the main loop");
	vm->watches[vm->nr_watches++] = (struct vm_watch){ .fd = fd, .cb = cb, .arg = arg };
	return 0;
}

static int host_watch(void *ctx, int fd, void (*cb)(void *arg), void *arg, struct err *e)
{
	return vm_watch_fd(ctx, fd, cb, arg, e);
}

static void host_guest_exit(void *ctx, int status)
{
	vm_stop(ctx, status, NULL);
}

static int add_device(struct vm *vm, const struct device_slot *slot, unsigned instance,
		      struct err *e)
{
	struct device *dev = &vm->devs[vm->nr_devs];
	int ret;

	if (vm->nr_devs == DT_MAX_DEVICES)
		return err_set(e, ENOSPC, "too many devices");
	dev->ops = slot->ops;
	dev->type = slot->type;
	dev->arg = slot->arg ? slot->arg(vm->cfg, instance) : NULL;
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
	pthread_mutex_init(&dev->lock, NULL);
	ret = dev->ops->init ? dev->ops->init(dev, e) : 0;
	if (ret) {
		/* Counted so vm_destroy() tears down what init left. */
		vm->nr_devs++;
		return ret;
	}
	vm->nr_devs++;
	if (slot->has_console && slot->console == vm->cfg->console)
		vm->console = dev;
	return 0;
}

static int create_devices(struct vm *vm, struct err *e)
{
	unsigned i;
	int ret;

	vm->host = (struct device_host){
		.ctx = vm,
		.mem = &vm->mem,
		.set_irq = host_set_irq,
		.console_out = host_console_out,
		.console_ready = host_console_ready,
		.ioeventfd = host_ioeventfd,
		.irqfd = host_irqfd,
		.watch = host_watch,
		.guest_exit = host_guest_exit,
	};
	resources_init(&vm->res, arch_limits.mmio_base, arch_limits.mmio_end, arch_limits.nr_spis);
	for (i = 0; i < device_table_len; i++) {
		const struct device_slot *slot = &device_table[i];
		unsigned n = slot->count ? slot->count(vm->cfg) : 1, k;

		for (k = 0; k < n; k++) {
			ret = add_device(vm, slot, k, e);
			if (ret)
				return ret;
		}
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
	for (i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].fd = -1;
		vm->vcpus[i].stats.fd = -1;
		vm->vcpus[i].place.cpu = -1;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = create_vcpu(vm, &vm->vcpus[i], i, e);
		if (ret)
			return ret;
	}
	return 0;
}

static int build_cmdline(const struct vm_config *cfg, char *buf, size_t len, struct err *e)
{
	const char *def = cfg->console == CONSOLE_VIRTIO ? arch_limits.cmdline_virtio :
							     arch_limits.cmdline_serial;
	int n = snprintf(buf, len, "%s%s%s", cfg->nodefaults ? "" : def,
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
	d->ram_base = vm->mem.gpa;
	d->ram_size = vm->mem.size;
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

static int open_console_log(struct vm *vm, struct err *e)
{
	if (!vm->cfg->console_log)
		return 0;
	vm->log_fd = open(vm->cfg->console_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (vm->log_fd < 0)
		return err_sys(e, errno, "--console-log: cannot create %s", vm->cfg->console_log);
	return 0;
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

/*
 * KVM's statistics for --stats and `lkvm stat`, opened before any vcpu runs
 * (KVM_GET_STATS_FD on a vcpu waits for KVM_RUN to return).  Without them
 * only --stats fails; `lkvm stat` then replies why.
 */
static int open_stats(struct vm *vm, struct err *e)
{
	int ret = stats_vm_open(vm, &vm->stats_err);

	if (!ret)
		return 0;
	stats_vm_close(vm);
	if (!vm->cfg->stats) {
		pr_debug("no KVM statistics: %s", vm->stats_err.msg);
		return 0;
	}
	return err_set(e, -ret, "--stats: %s", vm->stats_err.msg);
}

/*
 * The control socket.  A --name the user chose must be served; without
 * one, a VM that cannot have its socket (no writable runtime directory)
 * runs anyway, unseen by lkvm list.
 */
static int open_control(struct vm *vm, struct err *e)
{
	struct err why = { 0 };
	int ret = control_vm_open(vm, vm->cfg->name ? e : &why);

	if (!ret || vm->cfg->name)
		return ret;
	control_close(&vm->ctl);
	pr_warn("no control socket, lkvm list/stat/stop will not see this VM: %s", why.msg);
	return 0;
}

static int init_locks(struct vm *vm, struct err *e)
{
	pthread_condattr_t attr;
	int ret;

	pthread_mutex_init(&vm->stop_lock, NULL);
	ret = pthread_condattr_init(&attr);
	if (!ret)
		ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(&vm->pause_cond, &attr);
	pthread_condattr_destroy(&attr);
	return ret ? err_sys(e, ret, "pthread_cond_init") : 0;
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
	if (vm->nr_vcpus > arch_limits.max_vcpus)
		vm->nr_vcpus = arch_limits.max_vcpus;
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, const char *sysfs_root, struct err *e)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = vm->console_ready_fd = vm->log_fd = -1;
	vm->ctl.fd = vm->stats.fd = -1;
	vm->out_fd = STDOUT_FILENO;

	ret = init_locks(vm, e);
	if (!ret)
		ret = plan_cpus(vm, sysfs_root, e);
	/* The name is claimed early: a clash ends lkvm before anything slow. */
	if (!ret)
		ret = open_control(vm, e);
	if (!ret)
		ret = open_console_log(vm, e);
	if (!ret)
		ret = create_eventfds(vm, e);
	if (!ret)
		ret = open_kvm(vm, e);
	if (!ret)
		ret = create_vm(vm, e);
	if (!ret)
		ret = vpmu_check_kvm(&vm->vpmu, vm->vm_fd, e);
	/* The in-kernel GIC exists before devices ask for irqfds (KVM_IRQFD needs it). */
	if (!ret)
		ret = arch_vm_init(vm, e);
	if (!ret)
		ret = create_devices(vm, e);
	if (!ret)
		ret = create_vcpus(vm, e);
	if (!ret)
		ret = arch_vcpus_ready(vm, e);
	if (!ret)
		ret = arch_load_images(vm, e);
	if (!ret)
		ret = build_fdt(vm, e);
	if (!ret)
		ret = open_stats(vm, e);
	return ret;
}

int vm_reboot(struct vm *vm, struct err *e)
{
	uint64_t v;
	unsigned i;
	int ret = 0;

	pr_notice("guest reset: restarting it (--reboot restart)");
	if (read(vm->stop_fd, &v, sizeof(v)) < 0)
		return err_sys(e, errno, "reading the stop eventfd");
	vm->stopping = false;
	vm->exit_status = 0;
	for (i = 0; !ret && i < vm->nr_vcpus; i++) {
		vm->vcpus[i].run->immediate_exit = 0;
		ret = arch_vcpu_reset(vm, &vm->vcpus[i], e);
	}
	if (ret)
		return ret;
	/* Private anonymous memory reads back as zeroes after MADV_DONTNEED. */
	if (madvise(vm->mem.host, vm->mem.size, MADV_DONTNEED))
		return err_sys(e, errno, "madvise(MADV_DONTNEED) on guest RAM");
	for (i = 0; i < vm->nr_devs; i++) {
		struct device *dev = &vm->devs[i];

		if (!dev->ops->reset)
			continue;
		pthread_mutex_lock(&dev->lock);
		dev->ops->reset(dev);
		pthread_mutex_unlock(&dev->lock);
	}
	ret = arch_load_images(vm, e);
	return ret ? ret : build_fdt(vm, e);
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
		/* Parked vcpu threads wake up to end. */
		pthread_cond_broadcast(&vm->pause_cond);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

void vm_kick_vcpus(struct vm *vm)
{
	unsigned i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (!vcpu->started)
			continue;
		__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(vcpu->thread, SIGUSR1);
	}
}

static unsigned started_vcpus(const struct vm *vm)
{
	unsigned i, n = 0;

	for (i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpus[i].started;
	return n;
}

int vm_pause(struct vm *vm, struct err *e)
{
	unsigned running = started_vcpus(vm), parked;
	struct timespec deadline;
	bool stopping;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += VM_PAUSE_TIMEOUT_MS / 1000;
	deadline.tv_nsec += VM_PAUSE_TIMEOUT_MS % 1000 * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&vm->stop_lock);
	vm->paused = true;
	pthread_mutex_unlock(&vm->stop_lock);
	/* After paused is set: a vcpu the kick makes leave KVM_RUN parks before entering it again. */
	vm_kick_vcpus(vm);
	pthread_mutex_lock(&vm->stop_lock);
	while (!ret && !vm->stopping && vm->nr_parked < running)
		ret = pthread_cond_timedwait(&vm->pause_cond, &vm->stop_lock, &deadline);
	stopping = vm->stopping;
	parked = vm->nr_parked;
	pthread_mutex_unlock(&vm->stop_lock);
	if (stopping)
		return err_set(e, ECANCELED, "the VM is stopping");
	if (parked < running)
		return err_set(e, ETIMEDOUT, "only %u of %u vcpus paused within %d ms (the others will when they can)",
			       parked, running, VM_PAUSE_TIMEOUT_MS);
	return 0;
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->stop_lock);
	vm->paused = false;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->stop_lock);
}

bool vm_paused(struct vm *vm)
{
	bool paused;

	pthread_mutex_lock(&vm->stop_lock);
	paused = vm->paused;
	pthread_mutex_unlock(&vm->stop_lock);
	return paused;
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

	control_close(&vm->ctl);
	stats_vm_close(vm);
	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	for (i = 0; i < vm->nr_devs; i++) {
		if (vm->devs[i].ops->teardown)
			vm->devs[i].ops->teardown(&vm->devs[i]);
		pthread_mutex_destroy(&vm->devs[i].lock);
	}
	vm->nr_devs = 0;
	arch_vm_destroy(vm);
	if (vm->mem.host)
		munmap(vm->mem.host, vm->mem.size);
	vm->mem.host = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->console_ready_fd >= 0)
		close(vm->console_ready_fd);
	if (vm->log_fd >= 0)
		close(vm->log_fd);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = vm->console_ready_fd = vm->log_fd = -1;
	pthread_cond_destroy(&vm->pause_cond);
	pthread_mutex_destroy(&vm->stop_lock);
}
