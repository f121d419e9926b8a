/* kvm.h: the one ioctl wrapper (names the ioctl in its error) and the device-attribute helpers. */
#ifndef LKVM_KVM_H
#define LKVM_KVM_H

#include <stdint.h>
#include <linux/kvm.h>

#include "vmm/err.h"

/*
 * Every ioctl lkvm issues goes through KVM_IOCTL(): it retries EINTR where the
 * call is restartable, returns the ioctl's non-negative result, or records
 * "NAME: strerror" in *e and returns -errno.  KVM_RUN is the exception: the
 * run loop calls kvm_ioctl_raw() because EINTR is its stop signal.
 */
int kvm_ioctl(int fd, unsigned long req, void *arg, const char *name, struct err *e);
#define KVM_IOCTL(fd, req, arg, e) kvm_ioctl((fd), (req), (void *)(arg), #req, (e))

/* One attempt, no retry; returns the result or -errno, records nothing. */
int kvm_ioctl_raw(int fd, unsigned long req, void *arg);

/* KVM_CHECK_EXTENSION on fd (the /dev/kvm or VM fd); returns the value (0 = absent), never fails. */
int kvm_check_cap(int fd, long cap);

/*
 * Device attributes (KVM API 4.80, "KVM_SET_DEVICE_ATTR", on a device fd or a
 * vcpu fd).  kvm_has_attr() is KVM_HAS_DEVICE_ATTR: 1 if supported, 0 if not.
 * kvm_set_attr() names the attribute in its error message as "what".
 */
int kvm_has_attr(int fd, uint32_t group, uint64_t attr);
int kvm_set_attr(int fd, uint32_t group, uint64_t attr, const void *val, const char *what,
		 struct err *e);
int kvm_get_attr(int fd, uint32_t group, uint64_t attr, void *val, const char *what,
		 struct err *e);

/* KVM_GET_ONE_REG / KVM_SET_ONE_REG of a 64-bit register; errors name what. */
int kvm_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *val, const char *what, struct err *e);
int kvm_set_one_reg(int vcpu_fd, uint64_t id, uint64_t val, const char *what, struct err *e);

#endif
