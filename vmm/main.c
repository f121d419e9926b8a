/* main.c: the lkvm command line (`lkvm COMMAND [ARGS]`); the only place that prints Fatal: and exits. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/layout.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/options.h"
#include "vmm/vm.h"

static int fatal(const struct err *e)
{
	fprintf(stderr, "  Fatal: %s\n", e->msg[0] ? e->msg : "unknown error");
	return LKVM_EXIT_ERROR;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lkvm COMMAND [ARGS]\n\n"
		"Commands:\n"
		"    run       boot a guest: lkvm run -k IMAGE [-i INITRD] [-p ARGS] [-c N] [-m MiB] [--pmu]\n"
		"    version   print the lkvm version\n"
		"    help      show this text; 'lkvm run --help' lists the run options\n\n"
		"See lkvm(1). Exit statuses: 0 guest powered off, 1 lkvm error, 2 guest reset,\n"
		"3 guest crash, 128+N stopped by signal N.\n");
}

static unsigned usable_host_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > (int)LAYOUT_MAX_VCPUS ? LAYOUT_MAX_VCPUS : (unsigned)n;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	struct err e = { 0 };
	struct vm vm;
	int ret;

	ret = options_parse_run(argc, argv, &cfg, &e);
	if (ret < 0)
		return fatal(&e);
	if (ret == OPTIONS_HELP) {
		options_print_run_help(stdout);
		return 0;
	}
	log_set_level(cfg.loglevel);
	if (!cfg.nr_cpus)
		cfg.nr_cpus = usable_host_cpus();

	ret = vm_create(&vm, &cfg, &e);
	if (!ret) {
		pr_info("# lkvm run -k %s -m %llu -c %u", cfg.kernel,
			(unsigned long long)cfg.mem_mib, cfg.nr_cpus);
		ret = vm_run(&vm, &e);
	}
	vm_destroy(&vm);
	return ret < 0 ? fatal(&e) : ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return LKVM_EXIT_ERROR;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("lkvm version %s\n", LKVM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "  Fatal: unknown command '%s' (see lkvm help)\n", cmd);
	return LKVM_EXIT_ERROR;
}
