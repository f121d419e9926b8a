/* main.c: the lkvm command line (`lkvm COMMAND [ARGS]`); the only place that prints Fatal: and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmu/host.h"
#include "pmu/report.h"
#include "vmm/control.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/options.h"
#include "vmm/stats.h"
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
		"    list      list the running VMs: name, pid, vcpus, memory, state, PMU\n"
		"    stat      a running VM's KVM statistics and vcpu placement: lkvm stat NAME\n"
		"    pause     stop a running VM's vcpus until resumed: lkvm pause NAME\n"
		"    resume    let a paused VM run again: lkvm resume NAME\n"
		"    stop      end a running VM (its lkvm exits 0): lkvm stop NAME\n"
		"    request   send one control-socket request, print the reply: lkvm request NAME LINE\n"
		"    version   print the lkvm version\n"
		"    help      show this text; 'lkvm run --help' lists the run options\n\n"
		"See lkvm(1). Exit statuses of lkvm run: 0 guest powered off or lkvm stop, 1 lkvm\n"
		"error, 2 guest reset, 3 guest crash, 124 --timeout expired, 128+N stopped by\n"
		"signal N, or the status the guest wrote to the exit device.\n");
}

/* --stats: the table at exit; a failure here never changes the VM's exit status. */
static void print_stats(struct vm *vm)
{
	struct err e = { 0 };

	fflush(stdout);
	fprintf(stderr, "lkvm: KVM statistics of VM %s at exit\n", vm->ctl.name);
	if (stats_vm_report(vm, stderr, &e))
		pr_warn("--stats: %s", e.msg);
}

static int cmd_run(int argc, char **argv)
{
	uint64_t t0 = log_monotonic_us();
	struct vm_config cfg;
	struct err e = { 0 };
	struct vm vm;
	int ret;

	ret = options_parse_run(argc, argv, &cfg, &e);
	if (ret < 0)
		return fatal(&e);
	cfg.t0_us = t0;
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
		if (cfg.stats)
			print_stats(&vm);
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

/* lkvm list: the running VMs, from their control sockets. */
static int cmd_list(int argc, char **argv)
{
	char dir[CONTROL_PATH_MAX];
	struct err e = { 0 };

	(void)argv;
	if (argc)
		err_set(&e, EINVAL, "usage: lkvm list");
	else if (!control_default_dir(dir, sizeof(dir), &e))
		control_list(dir, stdout, &e);
	return e.msg[0] ? fatal(&e) : 0;
}

/*
 * lkvm stat|pause|resume|stop NAME, lkvm request NAME LINE: one request,
 * the reply on stdout; a reply starting "error: " is a Fatal: line.
 */
static int cmd_control(const char *cmd, const char *line, int argc, char **argv)
{
	char dir[CONTROL_PATH_MAX], *reply = NULL;
	struct err e = { 0 };
	int ret;

	if (argc != (line ? 1 : 2))
		ret = err_set(&e, EINVAL, "usage: lkvm %s NAME%s", cmd, line ? "" : " LINE");
	else
		ret = control_default_dir(dir, sizeof(dir), &e);
	if (!ret)
		ret = control_request(dir, argv[0], line ? line : argv[1], &reply, &e);
	if (!ret && !strncmp(reply, "error: ", 7)) {
		ret = err_set(&e, EIO, "%s: %.*s", argv[0], (int)strcspn(reply + 7, "\n"), reply + 7);
	} else if (!ret) {
		fputs(reply, stdout);
	}
	free(reply);
	return ret ? fatal(&e) : 0;
}

struct control_command {
	const char *cmd;	/* the lkvm command */
	const char *line;	/* its request; NULL: the argument after NAME */
};

static const struct control_command control_commands[] = {
	{ "stat", "stats" },
	{ "pause", "pause" },
	{ "resume", "resume" },
	{ "stop", "stop" },
	{ "request", NULL },
};

int main(int argc, char **argv)
{
	size_t i;

	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return LKVM_EXIT_ERROR;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "pmu"))
		return cmd_pmu(argc - 2, argv + 2);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 2, argv + 2);
	for (i = 0; i < sizeof(control_commands) / sizeof(control_commands[0]); i++)
		if (!strcmp(cmd, control_commands[i].cmd))
			return cmd_control(cmd, control_commands[i].line, argc - 2, argv + 2);
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
