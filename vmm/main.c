/* main.c: the lkvm command line (`lkvm COMMAND [ARGS]`); the only place that prints Fatal: and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/host.h"
#include "pmu/report.h"
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
		"    pmu       list the host's CPU PMUs and the one --pmu would use: lkvm pmu [list]\n"
		"    version   print the lkvm version\n"
		"    help      show this text; 'lkvm run --help' lists the run options\n\n"
		"See lkvm(1). Exit statuses: 0 guest powered off, 1 lkvm error, 2 guest reset,\n"
		"3 guest crash, 124 --timeout expired, 128+N stopped by signal N, or the status\n"
		"the guest wrote to the exit device.\n");
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

	ret = vm_create(&vm, &cfg, HOST_SYSFS_ROOT, &e);
	if (!ret) {
		pr_info("# lkvm run -k %s -m %llu -c %u%s", cfg.kernel,
			(unsigned long long)cfg.mem_mib, vm.nr_vcpus, cfg.pmu ? " --pmu" : "");
		ret = vm_run(&vm, &e);
	}
	vm_destroy(&vm);
	return ret < 0 ? fatal(&e) : ret;
}

/* lkvm pmu [list]: the host's CPU PMUs and what `lkvm run --pmu` would pick here. */
static int cmd_pmu(int argc, char **argv)
{
	struct host_pmus *pmus = malloc(sizeof(*pmus));
	struct pmu_plan_input in = { 0 };
	struct cpuset process;
	struct err e = { 0 };
	int ret;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "list"))) {
		fprintf(stderr, "  Fatal: usage: lkvm pmu [list]\n");
		free(pmus);
		return LKVM_EXIT_ERROR;
	}
	ret = pmus ? 0 : err_set(&e, ENOMEM, "out of memory");
	if (!ret)
		ret = cpuset_get_affinity(&process, &e);
	if (!ret)
		ret = host_pmus_discover(HOST_SYSFS_ROOT, pmus, &e);
	if (!ret) {
		in.pmus = pmus;
		in.usable = &process;
		ret = pmu_report_write(stdout, &in, &e);
	}
	free(pmus);
	return ret ? fatal(&e) : 0;
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
	if (!strcmp(cmd, "pmu"))
		return cmd_pmu(argc - 2, argv + 2);
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
