/* stats.h: KVM binary statistics (KVM API 4.133, KVM_GET_STATS_FD) of a VM and its vcpus: parsing, reading, the table. */
#ifndef LKVM_STATS_H
#define LKVM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "pmu/cpulist.h"
#include "vmm/err.h"

struct vm;

/*
 * Limits on what lkvm accepts from a stats fd.  KVM's own values are far
 * below them (name_size is KVM_STATS_NAME_SIZE, 48; a few dozen
 * descriptors; histograms of 32 buckets); anything beyond is treated as
 * malformed rather than trusted.
 */
#define STATS_NAME_MAX		256		/* largest name_size */
#define STATS_DESC_MAX		4096		/* most descriptors */
#define STATS_ITEMS_MAX		4096		/* most u64 items in one statistic */
#define STATS_SCHEMA_MAX	(1U << 20)	/* header + id + descriptors, bytes */
#define STATS_DATA_MAX		(1U << 20)	/* the data block, bytes */

/* One descriptor (struct kvm_stats_desc), its name copied out. */
struct stats_desc {
	char name[STATS_NAME_MAX];
	uint32_t flags;		/* KVM_STATS_TYPE_*, KVM_STATS_UNIT_*, KVM_STATS_BASE_* */
	int16_t exponent;	/* the value is in units of base^exponent of the unit */
	uint16_t size;		/* number of u64 items: 1, or the histogram's buckets */
	uint32_t offset;	/* byte offset of the first item in the data block */
	uint32_t bucket_size;	/* linear histograms: the width of a bucket */
};

/* What the header and descriptor blocks of one stats fd say; constant for the fd's life. */
struct stats_schema {
	char id[STATS_NAME_MAX];	/* "kvm-PID" or "kvm-PID/vcpu-N" */
	uint32_t data_offset;		/* file offset of the data block */
	uint32_t data_size;		/* bytes of it the descriptors cover (a multiple of 8) */
	uint32_t num_desc;
	struct stats_desc *desc;	/* num_desc entries, malloc'ed */
};

/* An open stats fd and its schema; fd is -1 when there is none. */
struct stats_file {
	int fd;
	struct stats_schema schema;
};

/* Where a vcpu thread ran: the host CPU it last ran on (-1: unknown) and the CPUs it may run on. */
struct vcpu_place {
	int cpu;
	bool have_allowed;
	struct cpuset allowed;
};

/* One table column's input: a schema and the data read for it (NULL: not available). */
struct stats_snapshot {
	const struct stats_schema *schema;
	const uint64_t *data;		/* schema->data_size / 8 items */
};

/*
 * Pure parsing over the first len bytes of a stats file.  The header must
 * be whole; stats_schema_size() returns the bytes the header says the id
 * and descriptor blocks end at (what a reader must read before
 * stats_parse_schema()), or -EINVAL with a message for a malformed header
 * (name_size 0 or above STATS_NAME_MAX, too many descriptors, offsets or
 * sizes that overflow).  stats_parse_schema() fills *s (s->desc allocated)
 * or returns -errno and leaves *s empty: every name must be NUL-terminated
 * within name_size and not empty, every statistic's items must lie inside
 * STATS_DATA_MAX, types, units and bases must be ones the API defines.
 */
long stats_schema_size(const void *buf, size_t len, struct err *e);
int stats_parse_schema(const void *buf, size_t len, struct stats_schema *s, struct err *e);
void stats_schema_free(struct stats_schema *s);

/* Index of the statistic called name, or -1. */
int stats_find(const struct stats_schema *s, const char *name);

/*
 * The unit of a statistic as text: "" (a plain count), "ns", "us", "ms",
 * "s", "B", "KiB", "MiB", "GiB", "cycles", "bool", or "10^E s" /
 * "2^E B" for other exponents.
 */
const char *stats_unit(const struct stats_desc *d, char *buf, size_t size);

/*
 * One statistic's value: the number for cumulative, instant and peak ones;
 * for histograms "n=SUM" (the sum of the buckets), or with buckets set the
 * non-empty buckets as "LO-HI:COUNT" (LO:COUNT for one value, LO+:COUNT for
 * the last, open-ended one) in KVM's bucket layout: linear, bucket i holds
 * [i * bucket_size, (i + 1) * bucket_size); logarithmic, bucket 0 holds 0
 * and bucket i holds [2^(i-1), 2^i).  Truncated to size.
 */
void stats_format_value(const struct stats_desc *d, const uint64_t *items, bool buckets, char *buf,
			size_t size);

/* The host CPU field (39, "processor") of a /proc/PID/task/TID/stat line, or -EINVAL. */
int stats_parse_proc_cpu(const char *line);

/*
 * The --stats / `lkvm stat` table, pure over its inputs: the VM's
 * statistics, then one column per vcpu (eight to a block) with its
 * placement and its statistics (rows named by vcpu 0's descriptors, a
 * statistic another vcpu lacks shown as "-"), then the non-empty
 * histogram buckets of each vcpu.
 */
void stats_print_table(FILE *out, const struct stats_snapshot *vm, const struct stats_snapshot *vcpus,
		       const struct vcpu_place *places, unsigned nr_vcpus);

/*
 * KVM side.  stats_file_open() issues KVM_GET_STATS_FD on a VM or vcpu fd
 * and parses the schema; it must run before the vcpu threads start
 * (on a vcpu fd the ioctl waits for the vcpu mutex, which KVM_RUN holds).
 * stats_file_read() preads the data block into items (schema.data_size
 * bytes); any thread may call it while the VM runs.
 */
int stats_file_open(struct stats_file *f, int kvm_obj_fd, const char *what, struct err *e);
int stats_file_read(const struct stats_file *f, uint64_t *items, struct err *e);
void stats_file_close(struct stats_file *f);

/* The placement of thread tid (0: the calling thread). */
int stats_thread_place(pid_t tid, struct vcpu_place *p, struct err *e);

/*
 * VM glue.  stats_vm_open() opens the VM's and every vcpu's stats fd
 * (needs KVM_CAP_BINARY_STATS_FD, Linux 5.14); stats_vm_report() reads
 * them all now and prints the table, placing each running vcpu thread from
 * /proc and each ended one where it last was (vcpu->place).
 */
int stats_vm_open(struct vm *vm, struct err *e);
int stats_vm_report(struct vm *vm, FILE *out, struct err *e);
void stats_vm_close(struct vm *vm);

#endif
