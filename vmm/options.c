/* options.c: a table-driven parser for `lkvm run` options, with kvmtool's option names and meanings. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/arch.h"
#include "vmm/control.h"
#include "vmm/options.h"

enum opt_arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

enum opt_id {
	OPT_HELP, OPT_KERNEL, OPT_INITRD, OPT_PARAMS, OPT_CPUS, OPT_MEM, OPT_IRQCHIP,
	OPT_PMU, OPT_PMU_IRQ, OPT_VCPU_AFFINITY, OPT_PMU_NO_PIN, OPT_CONSOLE, OPT_NETWORK,
	OPT_NODEFAULTS, OPT_LOGLEVEL, OPT_DEBUG, OPT_DUMP_DTB, OPT_DISK, OPT_RNG, OPT_TIMEOUT,
	OPT_CONSOLE_LOG, OPT_REBOOT, OPT_PMU_EVENTS, OPT_PMU_COUNTERS, OPT_NAME, OPT_STATS,
	OPT_UNSUPPORTED,
};

struct opt_def {
	const char *name;	/* long name, without "--" */
	char shortname;		/* 0: none */
	enum opt_arg arg;
	enum opt_id id;
	const char *argname;
	const char *help;	/* NULL: kvmtool option lkvm refuses (not listed in --help) */
};

static const struct opt_def run_opts[] = {
	{ "kernel", 'k', ARG_REQUIRED, OPT_KERNEL, "FILE", "arm64 Image (or raw binary) to boot" },
	{ "initrd", 'i', ARG_REQUIRED, OPT_INITRD, "FILE", "initial ramdisk" },
	{ "params", 'p', ARG_REQUIRED, OPT_PARAMS, "\"ARGS\"", "append ARGS to the kernel command line" },
	{ "cpus", 'c', ARG_REQUIRED, OPT_CPUS, "N", "number of vcpus (default: usable host CPUs)" },
	{ "mem", 'm', ARG_REQUIRED, OPT_MEM, "SIZE", "guest RAM in MiB, or with a M/G suffix (default 256)" },
	{ "irqchip", 0, ARG_REQUIRED, OPT_IRQCHIP, "auto|gicv3|gicv2", "in-kernel interrupt controller" },
	{ "pmu", 0, ARG_OPTIONAL, OPT_PMU, "NAME|TYPE", "give every vcpu a PMUv3, backed by that host PMU" },
	{ "pmu-irq", 0, ARG_REQUIRED, OPT_PMU_IRQ, "INTID", "PMU overflow PPI, 16..31 (default 23)" },
	{ "vcpu-affinity", 0, ARG_REQUIRED, OPT_VCPU_AFFINITY, "CPULIST", "host CPUs the vcpus may run on" },
	{ "pmu-events", 0, ARG_REQUIRED, OPT_PMU_EVENTS, "allow:|deny:LIST", "events the guest may count (names, numbers, ranges)" },
	{ "pmu-counters", 0, ARG_REQUIRED, OPT_PMU_COUNTERS, "N", "general-purpose counters the guest sees (1..31)" },
	{ "pmu-no-pin", 0, ARG_NONE, OPT_PMU_NO_PIN, NULL, "do not pin vcpu threads (testing only)" },
	{ "disk", 'd', ARG_REQUIRED, OPT_DISK, "PATH[,ro]", "raw disk image as virtio-blk (repeatable)" },
	{ "console", 0, ARG_REQUIRED, OPT_CONSOLE, "serial|virtio", "guest console: 16550 ttyS0 (default) or virtio hvc0" },
	{ "rng", 0, ARG_NONE, OPT_RNG, NULL, "virtio entropy device fed by getrandom()" },
	{ "network", 'n', ARG_REQUIRED, OPT_NETWORK, "mode=tap,tapif=NAME", "virtio-net on a tap (or mode=none)" },
	{ "timeout", 0, ARG_REQUIRED, OPT_TIMEOUT, "SECONDS", "stop the VM after SECONDS (exit status 124)" },
	{ "console-log", 0, ARG_REQUIRED, OPT_CONSOLE_LOG, "FILE", "also write all console output to FILE" },
	{ "reboot", 0, ARG_REQUIRED, OPT_REBOOT, "exit|restart", "on guest reset: exit with status 2 (default) or reboot" },
	{ "name", 0, ARG_REQUIRED, OPT_NAME, "NAME", "name for lkvm list/stat/pause/resume/stop (default lkvm-PID)" },
	{ "stats", 0, ARG_NONE, OPT_STATS, NULL, "print KVM's VM and vcpu statistics on stderr at exit" },
	{ "nodefaults", 0, ARG_NONE, OPT_NODEFAULTS, NULL, "no default kernel command line" },
	{ "loglevel", 0, ARG_REQUIRED, OPT_LOGLEVEL, "LEVEL", "error, warning, notice (default), info or debug" },
	{ "debug", 0, ARG_NONE, OPT_DEBUG, NULL, "same as --loglevel debug" },
	{ "dump-dtb", 0, ARG_REQUIRED, OPT_DUMP_DTB, "FILE", "write the generated device tree to FILE" },
	{ "help", 'h', ARG_NONE, OPT_HELP, NULL, "show this help" },
	/* kvmtool options lkvm does not implement (yet): refused, never ignored. */
	{ "firmware", 'f', ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "9p", 0, ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "balloon", 0, ARG_NONE, OPT_UNSUPPORTED, NULL, NULL },
	{ "hugetlbfs", 0, ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "sandbox", 0, ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "tty", 0, ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "vsock", 0, ARG_REQUIRED, OPT_UNSUPPORTED, NULL, NULL },
	{ "aarch32", 0, ARG_NONE, OPT_UNSUPPORTED, NULL, NULL },
};

#define NR_RUN_OPTS (sizeof(run_opts) / sizeof(run_opts[0]))

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() would skip blanks and take a sign: only plain digits are numbers here. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mem(const char *s, uint64_t *mib, struct err *e)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t v, scale = 1;

	if (len && len < sizeof(num) && strchr("mMgG", s[len - 1])) {
		scale = (s[len - 1] == 'g' || s[len - 1] == 'G') ? 1024 : 1;
		len--;
	}
	if (len >= sizeof(num))
		return err_set(e, EINVAL, "--mem: '%s' is not a size in MiB", s);
	memcpy(num, s, len);
	num[len] = '\0';
	if (parse_u64(num, &v) || v == 0 || v > UINT64_MAX / scale / (1024 * 1024))
		return err_set(e, EINVAL, "--mem: '%s' is not a size in MiB (1 or more)", s);
	*mib = v * scale;
	return 0;
}

static int parse_cpus(const char *s, unsigned *n, struct err *e)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < 1 || v > arch_limits.max_vcpus)
		return err_set(e, EINVAL, "--cpus: '%s' is not a vcpu count between 1 and %u", s,
			       arch_limits.max_vcpus);
	*n = v;
	return 0;
}

static int parse_pmu_irq(const char *s, unsigned *irq, struct err *e)
{
	uint64_t v;

	/* PPIs are INTIDs 16..31 (GICv3 architecture, 2.2); the timers own 26, 27, 29, 30. */
	if (parse_u64(s, &v) || v < 16 || v > 31)
		return err_set(e, EINVAL, "--pmu-irq: '%s' is not a PPI (INTID 16..31)", s);
	if (v == 26 || v == 27 || v == 29 || v == 30)
		return err_set(e, EINVAL, "--pmu-irq: INTID %s belongs to the arch timer", s);
	*irq = v;
	return 0;
}

static int parse_pmu_counters(const char *s, unsigned *n, struct err *e)
{
	uint64_t v;

	/* PMCR_EL0.N is 5 bits; 31 event counters at most besides the cycle counter. */
	if (parse_u64(s, &v) || v < 1 || v > 31)
		return err_set(e, EINVAL, "--pmu-counters: '%s' is not a counter count (1..31)", s);
	*n = v;
	return 0;
}

static int parse_timeout(const char *s, unsigned *out, struct err *e)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < 1 || v > 7 * 24 * 3600)
		return err_set(e, EINVAL, "--timeout: '%s' is not a number of seconds (1..604800)", s);
	*out = v;
	return 0;
}

/* -n mode=none | mode=tap,tapif=NAME (kvmtool's syntax, the subset lkvm implements). */
static int parse_network(const char *s, struct vm_config *cfg, struct err *e)
{
	if (!strcmp(s, "mode=none")) {
		cfg->network = NULL;
		return 0;
	}
	if (!strncmp(s, "mode=tap,tapif=", 15) && s[15] && strlen(s + 15) < 16 &&
	    !strpbrk(s + 15, ",/ ")) {
		cfg->network = s;
		return 0;
	}
	return err_set(e, EINVAL, "--network %s: expected mode=none or mode=tap,tapif=NAME", s);
}

static int parse_name(const char *s, const char **out, struct err *e)
{
	struct err why = { 0 };

	if (control_check_name(s, &why))
		return err_set(e, EINVAL, "--name: %s", why.msg);
	*out = s;
	return 0;
}

static int parse_choice(const char *opt, const char *s, const char *const *names, unsigned n,
			unsigned *out, struct err *e)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return err_set(e, EINVAL, "--%s: unknown value '%s'", opt, s);
}

static int apply_opt(const struct opt_def *o, const char *val, struct vm_config *cfg,
		     struct err *e)
{
	static const char *const irqchips[] = { "auto", "gicv3", "gicv2" };
	static const char *const consoles[] = { "serial", "virtio" };
	static const char *const reboots[] = { "exit", "restart" };
	static const char *const levels[] = { "error", "warning", "notice", "info", "debug" };
	unsigned choice = 0;
	int ret;

	switch (o->id) {
	case OPT_KERNEL: cfg->kernel = val; return 0;
	case OPT_INITRD: cfg->initrd = val; return 0;
	case OPT_PARAMS: cfg->params = val; return 0;
	case OPT_CPUS: return parse_cpus(val, &cfg->nr_cpus, e);
	case OPT_MEM: return parse_mem(val, &cfg->mem_mib, e);
	case OPT_IRQCHIP:
		ret = parse_choice(o->name, val, irqchips, 3, &choice, e);
		cfg->irqchip = choice;
		return ret;
	case OPT_PMU:
		cfg->pmu = true;
		if (val && !*val)
			return err_set(e, EINVAL, "--pmu=: empty PMU name");
		cfg->pmu_name = val;
		return 0;
	case OPT_PMU_IRQ: return parse_pmu_irq(val, &cfg->pmu_irq, e);
	case OPT_VCPU_AFFINITY: cfg->vcpu_affinity = val; return 0;
	case OPT_PMU_NO_PIN: cfg->pmu_no_pin = true; return 0;
	case OPT_PMU_EVENTS: return pmu_events_parse(val, &cfg->pmu_events, e);
	case OPT_PMU_COUNTERS: return parse_pmu_counters(val, &cfg->pmu_counters, e);
	case OPT_CONSOLE:
		ret = parse_choice(o->name, val, consoles, 2, &choice, e);
		cfg->console = choice;
		return ret;
	case OPT_NETWORK: return parse_network(val, cfg, e);
	case OPT_DISK:
		if (cfg->nr_disks == MAX_DISKS)
			return err_set(e, EINVAL, "--disk: at most %u disks", MAX_DISKS);
		if (!*val)
			return err_set(e, EINVAL, "--disk: empty path");
		cfg->disks[cfg->nr_disks++] = val;
		return 0;
	case OPT_RNG: cfg->rng = true; return 0;
	case OPT_TIMEOUT: return parse_timeout(val, &cfg->timeout_s, e);
	case OPT_CONSOLE_LOG: cfg->console_log = val; return 0;
	case OPT_REBOOT:
		ret = parse_choice(o->name, val, reboots, 2, &choice, e);
		cfg->reboot = choice;
		return ret;
	case OPT_NAME: return parse_name(val, &cfg->name, e);
	case OPT_STATS: cfg->stats = true; return 0;
	case OPT_NODEFAULTS: cfg->nodefaults = true; return 0;
	case OPT_LOGLEVEL:
		ret = parse_choice(o->name, val, levels, 5, &choice, e);
		cfg->loglevel = choice;
		return ret;
	case OPT_DEBUG: cfg->loglevel = LOG_DEBUG; return 0;
	case OPT_DUMP_DTB: cfg->dump_dtb = val; return 0;
	case OPT_HELP: return OPTIONS_HELP;
	case OPT_UNSUPPORTED: break;
	}
	return err_set(e, ENOTSUP, "option --%s is not supported by lkvm yet", o->name);
}

static const struct opt_def *find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NR_RUN_OPTS; i++)
		if (strlen(run_opts[i].name) == len && !strncmp(run_opts[i].name, name, len))
			return &run_opts[i];
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	size_t i;

	for (i = 0; i < NR_RUN_OPTS; i++)
		if (run_opts[i].shortname == c)
			return &run_opts[i];
	return NULL;
}

/*
 * Resolves argv[*i] to an option and its value; advances *i past a separate
 * value word.  Accepts --name, --name=value, --name value, -x value, -xvalue.
 */
static int lookup(int argc, char *const argv[], int *i, const struct opt_def **opt,
		  const char **val, struct err *e)
{
	const char *word = argv[*i];
	const char *inline_val = NULL;
	const char *display = word;

	if (word[0] == '-' && word[1] == '-') {
		const char *eq = strchr(word + 2, '=');
		size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);

		*opt = find_long(word + 2, len);
		inline_val = eq ? eq + 1 : NULL;
	} else {
		*opt = word[1] ? find_short(word[1]) : NULL;
		inline_val = word[1] && word[2] ? word + 2 : NULL;
	}
	if (!*opt)
		return err_set(e, EINVAL, "unknown option '%s' (see lkvm run --help)", display);

	switch ((*opt)->arg) {
	case ARG_NONE:
		if (inline_val)
			return err_set(e, EINVAL, "option --%s takes no value", (*opt)->name);
		*val = NULL;
		return 0;
	case ARG_OPTIONAL:
		*val = inline_val;
		return 0;
	case ARG_REQUIRED:
		if (inline_val) {
			*val = inline_val;
			return 0;
		}
		if (*i + 1 >= argc)
			return err_set(e, EINVAL, "option --%s needs a value", (*opt)->name);
		*val = argv[++*i];
		return 0;
	}
	return -EINVAL;
}

static void set_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_mib = DEFAULT_MEM_MIB;
	cfg->pmu_irq = DEFAULT_PMU_IRQ;
	cfg->loglevel = LOG_NOTICE;
}

static int check_config(const struct vm_config *cfg, struct err *e)
{
	if (!cfg->kernel)
		return err_set(e, EINVAL, "no kernel given: lkvm run -k IMAGE (see lkvm run --help)");
	if (!cfg->pmu && (cfg->pmu_name || cfg->pmu_no_pin || cfg->pmu_events.set ||
			  cfg->pmu_counters))
		return err_set(e, EINVAL, "PMU options need --pmu");
	if (cfg->irqchip == IRQCHIP_GICV2 && cfg->nr_cpus > 8)
		return err_set(e, EINVAL, "--irqchip gicv2 supports at most 8 vcpus, not %u",
			       cfg->nr_cpus);
	return 0;
}

int options_parse_run(int argc, char *const argv[], struct vm_config *cfg, struct err *e)
{
	int i, ret;

	set_defaults(cfg);
	for (i = 0; i < argc; i++) {
		const struct opt_def *o;
		const char *val = NULL;

		if (argv[i][0] != '-' || !argv[i][1])
			return err_set(e, EINVAL, "unexpected argument '%s' (see lkvm run --help)",
				       argv[i]);
		ret = lookup(argc, argv, &i, &o, &val, e);
		if (ret)
			return ret;
		ret = apply_opt(o, val, cfg, e);
		if (ret)
			return ret;
	}
	return check_config(cfg, e);
}

void options_print_run_help(FILE *out)
{
	size_t i;

	fprintf(out, "usage: lkvm run -k IMAGE [OPTIONS]\n\n");
	for (i = 0; i < NR_RUN_OPTS; i++) {
		const struct opt_def *o = &run_opts[i];
		char left[64];

		if (!o->help)
			continue;
		snprintf(left, sizeof(left), "%c%c%s--%s%s%s%s", o->shortname ? '-' : ' ',
			 o->shortname ? o->shortname : ' ', o->shortname ? ", " : "  ", o->name,
			 o->arg == ARG_OPTIONAL ? "[=" : o->argname ? " " : "",
			 o->argname ? o->argname : "", o->arg == ARG_OPTIONAL ? "]" : "");
		fprintf(out, "    %-34s %s\n", left, o->help);
	}
	fprintf(out, "\nConsole escape: Ctrl-a x ends the VM (when stdin is a terminal).\n");
}
