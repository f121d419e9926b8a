/* kvm.c: checked ioctl and device-attribute calls into /dev/kvm, VM, vcpu and device fds. */
#include <errno.h>
#include <sys/ioctl.h>

#include "vmm/kvm.h"

int kvm_ioctl_raw(int fd, unsigned long req, void *arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

int kvm_ioctl(int fd, unsigned long req, void *arg, const char *name, struct err *e)
{
	int ret;

	do
		ret = kvm_ioctl_raw(fd, req, arg);
	while (ret == -EINTR);
	if (ret < 0)
		return err_sys(e, -ret, "%s", name);
	return ret;
}

int kvm_check_cap(int fd, long cap)
{
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

int kvm_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *val, const char *what, struct err *e)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };
	int ret = kvm_ioctl_raw(vcpu_fd, KVM_GET_ONE_REG, &reg);

	return ret < 0 ? err_sys(e, -ret, "KVM_GET_ONE_REG(%s)", what) : 0;
}

int kvm_set_one_reg(int vcpu_fd, uint64_t id, uint64_t val, const char *what, struct err *e)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };
	int ret = kvm_ioctl_raw(vcpu_fd, KVM_SET_ONE_REG, &reg);

	return ret < 0 ? err_sys(e, -ret, "KVM_SET_ONE_REG(%s)", what) : 0;
}

int kvm_has_attr(int fd, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr };

	return ioctl(fd, KVM_HAS_DEVICE_ATTR, &a) == 0;
}

static int kvm_attr(int fd, unsigned long req, const char *reqname, uint32_t group, uint64_t attr,
		    const void *val, const char *what, struct err *e)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};
	int ret;

	do
		ret = kvm_ioctl_raw(fd, req, &a);
	while (ret == -EINTR);
	if (ret < 0)
		return err_sys(e, -ret, "%s(%s)", reqname, what);
	return 0;
}

int kvm_set_attr(int fd, uint32_t group, uint64_t attr, const void *val, const char *what,
		 struct err *e)
{
	return kvm_attr(fd, KVM_SET_DEVICE_ATTR, "KVM_SET_DEVICE_ATTR", group, attr, val, what, e);
}

int kvm_get_attr(int fd, uint32_t group, uint64_t attr, void *val, const char *what,
		 struct err *e)
{
	return kvm_attr(fd, KVM_GET_DEVICE_ATTR, "KVM_GET_DEVICE_ATTR", group, attr, val, what, e);
}
