/* config.h: struct vm_config, everything `lkvm run` was asked to do, filled by vmm/options.c. */
#ifndef LKVM_CONFIG_H
#define LKVM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "pmu/events.h"
#include "vmm/log.h"

enum irqchip_kind { IRQCHIP_AUTO, IRQCHIP_GICV3, IRQCHIP_GICV2 };
enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };
enum reboot_mode { REBOOT_EXIT, REBOOT_RESTART };

#define MAX_DISKS		8

#define DEFAULT_MEM_MIB		256U
#define DEFAULT_PMU_IRQ		23U	/* PPI 7: the INTID Linux/QEMU use for PMUv3 */

struct vm_config {
	const char *kernel;
	const char *initrd;
	const char *params;		/* -p: appended to the default command line */
	bool nodefaults;		/* no default command line */
	unsigned nr_cpus;		/* 0: one per usable host CPU */
	uint64_t mem_mib;
	enum irqchip_kind irqchip;
	enum log_level loglevel;
	const char *dump_dtb;		/* write the DTB here before running */
	uint64_t t0_us;			/* CLOCK_MONOTONIC at main() entry, for --debug timings */

	const char *disks[MAX_DISKS];	/* -d PATH[,ro], in order */
	unsigned nr_disks;
	enum console_kind console;
	bool rng;			/* --rng: virtio entropy device */
	const char *network;		/* -n mode=tap,tapif=NAME; NULL or mode=none: no NIC */
	unsigned timeout_s;		/* --timeout: 0 = none */
	const char *console_log;	/* --console-log FILE */
	enum reboot_mode reboot;
	const char *name;		/* --name: the control socket's name; NULL: lkvm-PID */
	bool stats;			/* --stats: KVM statistics on stderr at exit */

	bool pmu;			/* --pmu */
	const char *pmu_name;		/* --pmu=NAME|TYPE, NULL: choose */
	unsigned pmu_irq;		/* INTID of the overflow PPI */
	const char *vcpu_affinity;	/* --vcpu-affinity CPULIST, NULL: none */
	bool pmu_no_pin;		/* --pmu-no-pin: expert/testing, skip thread pinning */
	struct pmu_event_filter pmu_events;	/* --pmu-events allow:|deny:LIST */
	unsigned pmu_counters;		/* --pmu-counters N; 0: the host PMU's count */
};

#endif
