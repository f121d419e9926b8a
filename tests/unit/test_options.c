/* test_options.c: unit tests for `lkvm run` option parsing (vmm/options.h). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct vm_config cfg;
static struct err e;

/* Parses argv, which must succeed with OPTIONS_RUN. */
#define PARSE_OK(...)								\
	do {									\
		char *const argv_[] = { __VA_ARGS__ };				\
		int ret_;							\
		err_clear(&e);							\
		ret_ = options_parse_run(ARGC(argv_), argv_, &cfg, &e);		\
		ck_assert_msg(ret_ == OPTIONS_RUN, "parse = %d: %s", ret_, e.msg);	\
		ck_assert_str_eq(e.msg, "");					\
	} while (0)

/* Parses argv, which must fail with -err and a message containing msg. */
#define PARSE_FAIL(want_errno, want_msg, ...)						\
	do {									\
		char *const argv_[] = { __VA_ARGS__ };				\
		int ret_;							\
		err_clear(&e);							\
		ret_ = options_parse_run(ARGC(argv_), argv_, &cfg, &e);		\
		ck_assert_msg(ret_ == -(want_errno), "parse = %d, want %d (%s)", ret_, -(want_errno), e.msg);	\
		ck_assert_msg(strstr(e.msg, (want_msg)), "message \"%s\" lacks \"%s\"", e.msg, (want_msg));	\
	} while (0)

START_TEST(test_defaults)
{
	PARSE_OK("-k", "Image");
	ck_assert_str_eq(cfg.kernel, "Image");
	ck_assert_ptr_null(cfg.initrd);
	ck_assert_ptr_null(cfg.params);
	ck_assert(!cfg.nodefaults);
	ck_assert_uint_eq(cfg.nr_cpus, 0);
	ck_assert_uint_eq(cfg.mem_mib, 256);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_AUTO);
	ck_assert_int_eq(cfg.loglevel, LOG_NOTICE);
	ck_assert_ptr_null(cfg.dump_dtb);
	ck_assert(!cfg.pmu);
	ck_assert_ptr_null(cfg.pmu_name);
	ck_assert_uint_eq(cfg.pmu_irq, 23);
	ck_assert_ptr_null(cfg.vcpu_affinity);
	ck_assert(!cfg.pmu_no_pin);
}
END_TEST

START_TEST(test_defaults_reset_between_calls)
{
	PARSE_OK("-k", "Image", "-m", "1024", "--pmu", "--pmu-no-pin", "-c", "3");
	PARSE_OK("-k", "Image");
	ck_assert_uint_eq(cfg.mem_mib, 256);
	ck_assert(!cfg.pmu);
	ck_assert(!cfg.pmu_no_pin);
	ck_assert_uint_eq(cfg.nr_cpus, 0);
}
END_TEST

START_TEST(test_all_options)
{
	char *const argv[] = {
		"-k", "Image", "-i", "initrd.cpio", "-p", "quiet loglevel=8", "-c", "4", "-m", "512",
		"--irqchip", "gicv2", "--pmu=armv8_pmuv3_0", "--pmu-irq", "21",
		"--vcpu-affinity", "0-3", "--pmu-no-pin", "--console", "virtio", "-n", "mode=none",
		"--nodefaults", "--loglevel", "info", "--dump-dtb", "out.dtb", "-d", "disk.img",
		"--rng", "--timeout", "30", "--console-log", "console.txt", "--reboot", "restart",
	};

	ck_assert_int_eq(options_parse_run(ARGC(argv), argv, &cfg, &e), OPTIONS_RUN);
	ck_assert_str_eq(e.msg, "");
	/* Strings point into argv. */
	ck_assert_ptr_eq(cfg.kernel, argv[1]);
	ck_assert_ptr_eq(cfg.initrd, argv[3]);
	ck_assert_ptr_eq(cfg.params, argv[5]);
	ck_assert_str_eq(cfg.params, "quiet loglevel=8");
	ck_assert_uint_eq(cfg.nr_cpus, 4);
	ck_assert_uint_eq(cfg.mem_mib, 512);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV2);
	ck_assert(cfg.pmu);
	ck_assert_str_eq(cfg.pmu_name, "armv8_pmuv3_0");
	ck_assert_uint_eq(cfg.pmu_irq, 21);
	ck_assert_str_eq(cfg.vcpu_affinity, "0-3");
	ck_assert(cfg.pmu_no_pin);
	ck_assert(cfg.nodefaults);
	ck_assert_int_eq(cfg.loglevel, LOG_INFO);
	ck_assert_str_eq(cfg.dump_dtb, "out.dtb");
	ck_assert_int_eq(cfg.console, CONSOLE_VIRTIO);
	ck_assert_ptr_null(cfg.network);
	ck_assert_uint_eq(cfg.nr_disks, 1);
	ck_assert_ptr_eq(cfg.disks[0], argv[28]);
	ck_assert(cfg.rng);
	ck_assert_uint_eq(cfg.timeout_s, 30);
	ck_assert_str_eq(cfg.console_log, "console.txt");
	ck_assert_int_eq(cfg.reboot, REBOOT_RESTART);
}
END_TEST

START_TEST(test_long_forms)
{
	PARSE_OK("--kernel=Image", "--initrd=rd", "--params=a=b c", "--cpus=2", "--mem=128");
	ck_assert_str_eq(cfg.kernel, "Image");
	ck_assert_str_eq(cfg.initrd, "rd");
	ck_assert_str_eq(cfg.params, "a=b c");	/* only the first '=' separates */
	ck_assert_uint_eq(cfg.nr_cpus, 2);
	ck_assert_uint_eq(cfg.mem_mib, 128);

	PARSE_OK("--kernel", "Image", "--initrd", "rd", "--params", "x", "--cpus", "7", "--mem", "64");
	ck_assert_str_eq(cfg.kernel, "Image");
	ck_assert_str_eq(cfg.initrd, "rd");
	ck_assert_str_eq(cfg.params, "x");
	ck_assert_uint_eq(cfg.nr_cpus, 7);
	ck_assert_uint_eq(cfg.mem_mib, 64);
}
END_TEST

START_TEST(test_short_attached_forms)
{
	PARSE_OK("-kImage", "-irootfs", "-pquiet", "-c8", "-m1G", "-nmode=none");
	ck_assert_str_eq(cfg.kernel, "Image");
	ck_assert_str_eq(cfg.initrd, "rootfs");
	ck_assert_str_eq(cfg.params, "quiet");
	ck_assert_uint_eq(cfg.nr_cpus, 8);
	ck_assert_uint_eq(cfg.mem_mib, 1024);
}
END_TEST

START_TEST(test_last_wins)
{
	PARSE_OK("-k", "a", "-k", "b", "-m", "64", "--mem=32");
	ck_assert_str_eq(cfg.kernel, "b");
	ck_assert_uint_eq(cfg.mem_mib, 32);
}
END_TEST

START_TEST(test_value_may_start_with_dash)
{
	PARSE_OK("-k", "Image", "-p", "-quiet");
	ck_assert_str_eq(cfg.params, "-quiet");
}
END_TEST

static const struct {
	const char *arg;
	uint64_t mib;
} mem_ok[] = {
	{ "1", 1 }, { "256", 256 }, { "2G", 2048 }, { "2g", 2048 }, { "512M", 512 },
	{ "512m", 512 }, { "64G", 65536 }, { "0001", 1 },
};

START_TEST(test_mem_values)
{
	PARSE_OK("-k", "Image", "-m", (char *)mem_ok[_i].arg);
	ck_assert_uint_eq(cfg.mem_mib, mem_ok[_i].mib);
}
END_TEST

static const char *const mem_bad[] = {
	"0", "0G", "12x", "", "G", "-1", "+5", "1.5G", "2GB", "2 G", "18446744073709551616",
	"17592186044416",	/* 2^44 MiB: the byte count would overflow 64 bits */
	"99999999999999999999999999999999999",
};

START_TEST(test_mem_bad)
{
	char want[128];

	snprintf(want, sizeof(want), "--mem: '%s' is not a size in MiB", mem_bad[_i]);
	PARSE_FAIL(EINVAL, want, "-k", "Image", "-m", (char *)mem_bad[_i]);
}
END_TEST

START_TEST(test_cpus_values)
{
	PARSE_OK("-k", "Image", "-c", "1");
	ck_assert_uint_eq(cfg.nr_cpus, 1);
	PARSE_OK("-k", "Image", "-c", "512");
	ck_assert_uint_eq(cfg.nr_cpus, 512);
}
END_TEST

static const char *const cpus_bad[] = { "0", "513", "abc", "", "-1", "4x", "4294967297" };

START_TEST(test_cpus_bad)
{
	char want[128];

	snprintf(want, sizeof(want), "--cpus: '%s' is not a vcpu count between 1 and 512",
		 cpus_bad[_i]);
	PARSE_FAIL(EINVAL, want, "-k", "Image", "-c", (char *)cpus_bad[_i]);
}
END_TEST

START_TEST(test_irqchip)
{
	PARSE_OK("-k", "Image", "--irqchip", "gicv3");
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV3);
	PARSE_OK("-k", "Image", "--irqchip=gicv2");
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV2);
	PARSE_OK("-k", "Image", "--irqchip", "gicv2", "--irqchip", "auto");
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_AUTO);
	PARSE_FAIL(EINVAL, "--irqchip: unknown value 'foo'", "-k", "Image", "--irqchip", "foo");
	PARSE_FAIL(EINVAL, "--irqchip: unknown value 'GICv3'", "-k", "Image", "--irqchip", "GICv3");
}
END_TEST

START_TEST(test_gicv2_cpu_limit)
{
	PARSE_OK("-k", "Image", "--irqchip", "gicv2", "-c", "8");
	ck_assert_uint_eq(cfg.nr_cpus, 8);
	PARSE_FAIL(EINVAL, "--irqchip gicv2 supports at most 8 vcpus, not 9", "-k", "Image",
		   "--irqchip", "gicv2", "-c", "9");
	PARSE_OK("-k", "Image", "--irqchip", "gicv3", "-c", "9");
}
END_TEST

START_TEST(test_pmu)
{
	PARSE_OK("-k", "Image", "--pmu");
	ck_assert(cfg.pmu);
	ck_assert_ptr_null(cfg.pmu_name);
	ck_assert_uint_eq(cfg.pmu_irq, 23);

	PARSE_OK("-k", "Image", "--pmu=armv8_cortex_a72");
	ck_assert(cfg.pmu);
	ck_assert_str_eq(cfg.pmu_name, "armv8_cortex_a72");

	PARSE_OK("-k", "Image", "--pmu=10");
	ck_assert_str_eq(cfg.pmu_name, "10");

	PARSE_FAIL(EINVAL, "--pmu=: empty PMU name", "-k", "Image", "--pmu=");
	/* An optional value must be attached with '=': a separate word is an argument. */
	PARSE_FAIL(EINVAL, "unexpected argument 'armv8_pmuv3'", "-k", "Image", "--pmu",
		   "armv8_pmuv3");
}
END_TEST

START_TEST(test_pmu_irq)
{
	PARSE_OK("-k", "Image", "--pmu", "--pmu-irq", "16");
	ck_assert_uint_eq(cfg.pmu_irq, 16);
	PARSE_OK("-k", "Image", "--pmu", "--pmu-irq=31");
	ck_assert_uint_eq(cfg.pmu_irq, 31);
	PARSE_OK("-k", "Image", "--pmu", "--pmu-irq", "28");
	ck_assert_uint_eq(cfg.pmu_irq, 28);
	PARSE_OK("-k", "Image", "--pmu", "--pmu-irq", "25");
	ck_assert_uint_eq(cfg.pmu_irq, 25);
}
END_TEST

static const char *const timer_intids[] = { "26", "27", "29", "30" };

START_TEST(test_pmu_irq_timer)
{
	char want[128];

	snprintf(want, sizeof(want), "--pmu-irq: INTID %s belongs to the arch timer",
		 timer_intids[_i]);
	PARSE_FAIL(EINVAL, want, "-k", "Image", "--pmu", "--pmu-irq", (char *)timer_intids[_i]);
}
END_TEST

static const char *const pmu_irq_bad[] = { "15", "32", "0", "", "abc", "23x", "-23", "4294967319" };

START_TEST(test_pmu_irq_bad)
{
	char want[128];

	snprintf(want, sizeof(want), "--pmu-irq: '%s' is not a PPI (INTID 16..31)", pmu_irq_bad[_i]);
	PARSE_FAIL(EINVAL, want, "-k", "Image", "--pmu", "--pmu-irq", (char *)pmu_irq_bad[_i]);
}
END_TEST

START_TEST(test_pmu_options_need_pmu)
{
	PARSE_FAIL(EINVAL, "PMU options need --pmu", "-k", "Image", "--pmu-no-pin");
	PARSE_OK("-k", "Image", "--pmu-no-pin", "--pmu");
	ck_assert(cfg.pmu_no_pin);
	/* --vcpu-affinity is useful without a PMU. */
	PARSE_OK("-k", "Image", "--vcpu-affinity", "2,3");
	ck_assert_str_eq(cfg.vcpu_affinity, "2,3");
}
END_TEST

START_TEST(test_loglevel)
{
	static const char *const names[] = { "error", "warning", "notice", "info", "debug" };
	static const enum log_level levels[] = { LOG_ERROR, LOG_WARNING, LOG_NOTICE, LOG_INFO,
						 LOG_DEBUG };
	unsigned i;

	for (i = 0; i < 5; i++) {
		PARSE_OK("-k", "Image", "--loglevel", (char *)names[i]);
		ck_assert_int_eq(cfg.loglevel, levels[i]);
	}
	PARSE_OK("-k", "Image", "--debug");
	ck_assert_int_eq(cfg.loglevel, LOG_DEBUG);
	PARSE_FAIL(EINVAL, "--loglevel: unknown value 'loud'", "-k", "Image", "--loglevel", "loud");
	PARSE_FAIL(EINVAL, "--loglevel: unknown value 'INFO'", "-k", "Image", "--loglevel", "INFO");
}
END_TEST

START_TEST(test_console)
{
	PARSE_OK("-k", "Image");
	ck_assert_int_eq(cfg.console, CONSOLE_SERIAL);
	PARSE_OK("-k", "Image", "--console", "virtio");
	ck_assert_int_eq(cfg.console, CONSOLE_VIRTIO);
	PARSE_OK("-k", "Image", "--console=serial");
	ck_assert_int_eq(cfg.console, CONSOLE_SERIAL);
	PARSE_FAIL(EINVAL, "--console: unknown value 'hvc'", "-k", "Image", "--console", "hvc");
}
END_TEST

START_TEST(test_network)
{
	PARSE_OK("-k", "Image", "-n", "mode=none");
	ck_assert_ptr_null(cfg.network);
	PARSE_OK("-k", "Image", "--network", "mode=tap,tapif=tap0");
	ck_assert_str_eq(cfg.network, "mode=tap,tapif=tap0");
	/* IFNAMSIZ is 16: 15 characters fit, 16 do not. */
	PARSE_OK("-k", "Image", "-nmode=tap,tapif=abcdefghijklmno");
	PARSE_FAIL(EINVAL,
		   "--network mode=tap,tapif=abcdefghijklmnop: expected mode=none or mode=tap,tapif=NAME",
		   "-k", "Image", "-n", "mode=tap,tapif=abcdefghijklmnop");
	PARSE_FAIL(EINVAL, "--network mode=tap: expected mode=none or mode=tap,tapif=NAME", "-k",
		   "Image", "--network", "mode=tap");
	PARSE_FAIL(EINVAL, "--network mode=user: expected", "-k", "Image", "-n", "mode=user");
	PARSE_FAIL(EINVAL, "--network mode=tap,tapif=: expected", "-k", "Image", "-n",
		   "mode=tap,tapif=");
	PARSE_FAIL(EINVAL, "--network mode=tap,tapif=a/b: expected", "-k", "Image", "-n",
		   "mode=tap,tapif=a/b");
	PARSE_FAIL(EINVAL, "--network mode=tap,tapif=t0,vhost=on: expected", "-k", "Image", "-n",
		   "mode=tap,tapif=t0,vhost=on");
}
END_TEST

START_TEST(test_disk)
{
	PARSE_OK("-k", "Image", "-d", "root.img", "--disk=data.img,ro", "-dthird.img");
	ck_assert_uint_eq(cfg.nr_disks, 3);
	ck_assert_str_eq(cfg.disks[0], "root.img");
	ck_assert_str_eq(cfg.disks[1], "data.img,ro");
	ck_assert_str_eq(cfg.disks[2], "third.img");
	PARSE_FAIL(EINVAL, "--disk: empty path", "-k", "Image", "--disk=");
	PARSE_FAIL(EINVAL, "option --disk needs a value", "-k", "Image", "-d");
}
END_TEST

START_TEST(test_disk_limit)
{
	char *const ok[] = { "-k", "I", "-d", "0", "-d", "1", "-d", "2", "-d", "3", "-d", "4",
			     "-d", "5", "-d", "6", "-d", "7" };
	char *const bad[] = { "-k", "I", "-d", "0", "-d", "1", "-d", "2", "-d", "3", "-d", "4",
			      "-d", "5", "-d", "6", "-d", "7", "-d", "8" };

	ck_assert_int_eq(options_parse_run(ARGC(ok), ok, &cfg, &e), OPTIONS_RUN);
	ck_assert_uint_eq(cfg.nr_disks, 8);
	ck_assert_str_eq(cfg.disks[7], "7");
	ck_assert_int_eq(options_parse_run(ARGC(bad), bad, &cfg, &e), -EINVAL);
	ck_assert_str_eq(e.msg, "--disk: at most 8 disks");
}
END_TEST

START_TEST(test_rng_log_reboot)
{
	PARSE_OK("-k", "Image");
	ck_assert(!cfg.rng);
	ck_assert_ptr_null(cfg.console_log);
	ck_assert_int_eq(cfg.reboot, REBOOT_EXIT);
	PARSE_OK("-k", "Image", "--rng", "--console-log", "boot.log", "--reboot", "restart");
	ck_assert(cfg.rng);
	ck_assert_str_eq(cfg.console_log, "boot.log");
	ck_assert_int_eq(cfg.reboot, REBOOT_RESTART);
	PARSE_OK("-k", "Image", "--reboot=exit");
	ck_assert_int_eq(cfg.reboot, REBOOT_EXIT);
	PARSE_FAIL(EINVAL, "--reboot: unknown value 'halt'", "-k", "Image", "--reboot", "halt");
	PARSE_FAIL(EINVAL, "option --rng takes no value", "-k", "Image", "--rng=yes");
}
END_TEST

START_TEST(test_timeout)
{
	PARSE_OK("-k", "Image");
	ck_assert_uint_eq(cfg.timeout_s, 0);
	PARSE_OK("-k", "Image", "--timeout", "1");
	ck_assert_uint_eq(cfg.timeout_s, 1);
	PARSE_OK("-k", "Image", "--timeout=604800");
	ck_assert_uint_eq(cfg.timeout_s, 604800);
	PARSE_FAIL(EINVAL, "--timeout: '0' is not a number of seconds (1..604800)", "-k", "Image",
		   "--timeout", "0");
	PARSE_FAIL(EINVAL, "--timeout: '604801' is not a number of seconds", "-k", "Image",
		   "--timeout", "604801");
	PARSE_FAIL(EINVAL, "--timeout: '10s' is not a number of seconds", "-k", "Image",
		   "--timeout", "10s");
}
END_TEST

START_TEST(test_name_stats)
{
	PARSE_OK("-k", "Image");
	ck_assert_ptr_null(cfg.name);
	ck_assert(!cfg.stats);
	PARSE_OK("-k", "Image", "--name", "vm-1.a_b", "--stats");
	ck_assert_str_eq(cfg.name, "vm-1.a_b");
	ck_assert(cfg.stats);
	PARSE_OK("-k", "Image", "--name=x");
	ck_assert_str_eq(cfg.name, "x");
	PARSE_FAIL(EINVAL, "--name: VM name 'a/b' may only hold letters, digits, '.', '_' and '-'", "-k", "Image",
		   "--name", "a/b");
	PARSE_FAIL(EINVAL, "--name: VM name '' must have 1 to 64 characters", "-k", "Image", "--name=");
	PARSE_FAIL(EINVAL, "--name: VM name '..' is not allowed", "-k", "Image", "--name", "..");
	PARSE_FAIL(EINVAL, "option --stats takes no value", "-k", "Image", "--stats=1");
}
END_TEST

START_TEST(test_unsupported_kvmtool_options)
{
	PARSE_FAIL(ENOTSUP, "option --firmware is not supported by lkvm yet", "-k", "Image", "-f",
		   "fw.bin");
	PARSE_FAIL(ENOTSUP, "option --firmware is not supported by lkvm yet", "-k", "Image",
		   "--firmware=fw.bin");
	PARSE_FAIL(ENOTSUP, "option --balloon is not supported by lkvm yet", "-k", "Image",
		   "--balloon");
	PARSE_FAIL(ENOTSUP, "option --9p is not supported by lkvm yet", "-k", "Image", "--9p",
		   "/srv,tag");
	PARSE_FAIL(ENOTSUP, "option --sandbox is not supported by lkvm yet", "-k", "Image",
		   "--sandbox", "x.sh");
	/* Refused even before a kernel is given. */
	PARSE_FAIL(ENOTSUP, "option --aarch32 is not supported by lkvm yet", "--aarch32");
}
END_TEST

START_TEST(test_unknown_option)
{
	PARSE_FAIL(EINVAL, "unknown option '--frobnicate' (see lkvm run --help)", "-k", "Image",
		   "--frobnicate");
	PARSE_FAIL(EINVAL, "unknown option '--frob=1'", "-k", "Image", "--frob=1");
	PARSE_FAIL(EINVAL, "unknown option '-z'", "-k", "Image", "-z");
	PARSE_FAIL(EINVAL, "unknown option '--'", "-k", "Image", "--");
	/* Long names match exactly, never by prefix. */
	PARSE_FAIL(EINVAL, "unknown option '--ker'", "--ker", "Image");
	PARSE_FAIL(EINVAL, "unknown option '--kernels'", "--kernels", "Image");
}
END_TEST

START_TEST(test_missing_value)
{
	PARSE_FAIL(EINVAL, "option --kernel needs a value", "-k");
	PARSE_FAIL(EINVAL, "option --mem needs a value", "-k", "Image", "--mem");
	PARSE_FAIL(EINVAL, "option --initrd needs a value", "-k", "Image", "-i");
	PARSE_FAIL(EINVAL, "option --pmu-irq needs a value", "-k", "Image", "--pmu", "--pmu-irq");
}
END_TEST

START_TEST(test_value_not_taken)
{
	PARSE_FAIL(EINVAL, "option --nodefaults takes no value", "-k", "Image", "--nodefaults=1");
	PARSE_FAIL(EINVAL, "option --pmu-no-pin takes no value", "-k", "Image", "--pmu",
		   "--pmu-no-pin=yes");
	PARSE_FAIL(EINVAL, "option --help takes no value", "-hx");
}
END_TEST

START_TEST(test_no_kernel)
{
	PARSE_FAIL(EINVAL, "no kernel given: lkvm run -k IMAGE", "-m", "128");
	{
		char *argv[] = { NULL };

		err_clear(&e);
		ck_assert_int_eq(options_parse_run(0, argv, &cfg, &e), -EINVAL);
		ck_assert_str_eq(e.msg, "no kernel given: lkvm run -k IMAGE (see lkvm run --help)");
	}
}
END_TEST

START_TEST(test_positional)
{
	PARSE_FAIL(EINVAL, "unexpected argument 'Image' (see lkvm run --help)", "Image");
	PARSE_FAIL(EINVAL, "unexpected argument 'extra'", "-k", "Image", "extra");
	PARSE_FAIL(EINVAL, "unexpected argument '-'", "-k", "Image", "-");
}
END_TEST

START_TEST(test_help)
{
	char *const a1[] = { "--help" };
	char *const a2[] = { "-h" };
	char *const a3[] = { "-k", "Image", "-m", "64", "--help" };
	char *const a4[] = { "--help", "--frobnicate" };

	err_clear(&e);
	ck_assert_int_eq(options_parse_run(1, a1, &cfg, &e), OPTIONS_HELP);
	ck_assert_int_eq(options_parse_run(1, a2, &cfg, &e), OPTIONS_HELP);
	ck_assert_int_eq(options_parse_run(ARGC(a3), a3, &cfg, &e), OPTIONS_HELP);
	/* Help stops parsing: what follows is not looked at. */
	ck_assert_int_eq(options_parse_run(ARGC(a4), a4, &cfg, &e), OPTIONS_HELP);
	ck_assert_str_eq(e.msg, "");
}
END_TEST

START_TEST(test_first_error_wins)
{
	/* The parser stops at the first bad option and reports it, not a later one. */
	PARSE_FAIL(EINVAL, "--cpus: '0'", "-c", "0", "-m", "0", "--bogus");
	ck_assert_ptr_null(strstr(e.msg, "--mem"));
}
END_TEST

START_TEST(test_help_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	options_print_run_help(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(!strncmp(buf, "usage: lkvm run -k IMAGE [OPTIONS]\n", 35), "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "    -k, --kernel FILE "));
	ck_assert_ptr_nonnull(strstr(buf, "        --pmu[=NAME|TYPE] "));
	ck_assert_ptr_nonnull(strstr(buf, "        --pmu-irq INTID "));
	ck_assert_ptr_nonnull(strstr(buf, "        --vcpu-affinity CPULIST "));
	ck_assert_ptr_nonnull(strstr(buf, "        --pmu-no-pin "));
	ck_assert_ptr_nonnull(strstr(buf, "    -h, --help "));
	ck_assert_ptr_nonnull(strstr(buf, "Ctrl-a x"));
	ck_assert_ptr_nonnull(strstr(buf, "    -d, --disk PATH[,ro] "));
	ck_assert_ptr_nonnull(strstr(buf, "        --timeout SECONDS "));
	ck_assert_ptr_nonnull(strstr(buf, "        --name NAME "));
	ck_assert_ptr_nonnull(strstr(buf, "        --stats "));
	/* Refused kvmtool options are not advertised. */
	ck_assert_ptr_null(strstr(buf, "--firmware"));
	ck_assert_ptr_null(strstr(buf, "--balloon"));
	free(buf);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *ok = tcase_create("accepted");
	TCase *bad = tcase_create("refused");
	TCase *help = tcase_create("help");

	tcase_add_test(ok, test_defaults);
	tcase_add_test(ok, test_defaults_reset_between_calls);
	tcase_add_test(ok, test_all_options);
	tcase_add_test(ok, test_long_forms);
	tcase_add_test(ok, test_short_attached_forms);
	tcase_add_test(ok, test_last_wins);
	tcase_add_test(ok, test_value_may_start_with_dash);
	tcase_add_loop_test(ok, test_mem_values, 0, sizeof(mem_ok) / sizeof(mem_ok[0]));
	tcase_add_test(ok, test_cpus_values);
	tcase_add_test(ok, test_irqchip);
	tcase_add_test(ok, test_pmu);
	tcase_add_test(ok, test_name_stats);
	tcase_add_test(ok, test_pmu_irq);
	tcase_add_test(ok, test_loglevel);
	tcase_add_test(ok, test_console);
	tcase_add_test(ok, test_network);
	tcase_add_test(ok, test_disk);
	tcase_add_test(ok, test_disk_limit);
	tcase_add_test(ok, test_rng_log_reboot);
	tcase_add_test(ok, test_timeout);
	tcase_add_loop_test(bad, test_mem_bad, 0, sizeof(mem_bad) / sizeof(mem_bad[0]));
	tcase_add_loop_test(bad, test_cpus_bad, 0, sizeof(cpus_bad) / sizeof(cpus_bad[0]));
	tcase_add_test(bad, test_gicv2_cpu_limit);
	tcase_add_loop_test(bad, test_pmu_irq_timer, 0, sizeof(timer_intids) / sizeof(timer_intids[0]));
	tcase_add_loop_test(bad, test_pmu_irq_bad, 0, sizeof(pmu_irq_bad) / sizeof(pmu_irq_bad[0]));
	tcase_add_test(bad, test_pmu_options_need_pmu);
	tcase_add_test(bad, test_unsupported_kvmtool_options);
	tcase_add_test(bad, test_unknown_option);
	tcase_add_test(bad, test_missing_value);
	tcase_add_test(bad, test_value_not_taken);
	tcase_add_test(bad, test_no_kernel);
	tcase_add_test(bad, test_positional);
	tcase_add_test(bad, test_first_error_wins);
	tcase_add_test(help, test_help);
	tcase_add_test(help, test_help_text);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, help);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
