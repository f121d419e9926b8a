/* stats.c: KVM binary statistics: the schema parser over a byte buffer, the value and table formatting, and the fds. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/kvm.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

/* A descriptor's fixed part; its name (header.name_size bytes) follows it (KVM API 4.133). */
#define DESC_FIXED_SIZE sizeof(struct kvm_stats_desc)

#define STATS_TYPE(d)	((d)->flags & KVM_STATS_TYPE_MASK)
#define STATS_UNIT(d)	((d)->flags & KVM_STATS_UNIT_MASK)
#define STATS_BASE(d)	((d)->flags & KVM_STATS_BASE_MASK)

#define COLS_PER_BLOCK	8	/* vcpu columns in one block of the table */
#define CELL_WIDTH	13

static bool is_hist(const struct stats_desc *d)
{
	return STATS_TYPE(d) == KVM_STATS_TYPE_LINEAR_HIST || STATS_TYPE(d) == KVM_STATS_TYPE_LOG_HIST;
}

long stats_schema_size(const void *buf, size_t len, struct err *e)
{
	struct kvm_stats_header h;
	uint64_t id_end, desc_end, end;

	if (len < sizeof(h))
		return err_set(e, EINVAL, "KVM stats: header truncated (%zu of %zu bytes)", len, sizeof(h));
	memcpy(&h, buf, sizeof(h));
	if (h.name_size == 0 || h.name_size > STATS_NAME_MAX)
		return err_set(e, EINVAL, "KVM stats: name size %u out of range (1..%u)", h.name_size,
			       STATS_NAME_MAX);
	if (h.num_desc > STATS_DESC_MAX)
		return err_set(e, EINVAL, "KVM stats: %u descriptors, at most %u accepted", h.num_desc,
			       STATS_DESC_MAX);
	if (h.id_offset < sizeof(h) || h.desc_offset < sizeof(h))
		return err_set(e, EINVAL, "KVM stats: id (%u) or descriptors (%u) inside the header",
			       h.id_offset, h.desc_offset);
	/* 64-bit sums of 32-bit fields bounded above: no overflow. */
	id_end = (uint64_t)h.id_offset + h.name_size;
	desc_end = (uint64_t)h.desc_offset + (uint64_t)h.num_desc * (DESC_FIXED_SIZE + h.name_size);
	end = id_end > desc_end ? id_end : desc_end;
	if (end > STATS_SCHEMA_MAX)
		return err_set(e, EINVAL, "KVM stats: id and descriptors end at byte %" PRIu64 ", beyond %u",
			       end, STATS_SCHEMA_MAX);
	return (long)end;
}

/* Copies a NUL-terminated string of at most size bytes (NUL included) from src. */
static int copy_name(char *dst, const uint8_t *src, size_t size, const char *what, unsigned idx,
		     struct err *e)
{
	const uint8_t *nul = memchr(src, '\0', size);

	if (!nul)
		return err_set(e, EINVAL, "KVM stats: %s %u is not NUL-terminated", what, idx);
	memcpy(dst, src, nul - src + 1);
	return 0;
}

static int parse_desc(const uint8_t *p, uint32_t name_size, unsigned idx, struct stats_desc *d,
		      struct err *e)
{
	struct kvm_stats_desc raw;
	uint64_t end;
	int ret;

	memcpy(&raw, p, DESC_FIXED_SIZE);	/* descriptors need not be aligned in the buffer */
	ret = copy_name(d->name, p + DESC_FIXED_SIZE, name_size, "descriptor", idx, e);
	if (ret)
		return ret;
	if (!d->name[0])
		return err_set(e, EINVAL, "KVM stats: descriptor %u has an empty name", idx);
	d->flags = raw.flags;
	d->exponent = raw.exponent;
	d->size = raw.size;
	d->offset = raw.offset;
	d->bucket_size = raw.bucket_size;
	if (d->size == 0 || d->size > STATS_ITEMS_MAX)
		return err_set(e, EINVAL, "KVM stats: %s has %u items (1..%u)", d->name, d->size,
			       STATS_ITEMS_MAX);
	/* Items are u64s (KVM API 4.133): an unaligned offset is not KVM's. */
	end = (uint64_t)d->offset + (uint64_t)d->size * sizeof(uint64_t);
	if (d->offset % sizeof(uint64_t) || end > STATS_DATA_MAX)
		return err_set(e, EINVAL, "KVM stats: %s at data offset %u (%u items) out of range", d->name,
			       d->offset, d->size);
	if (STATS_TYPE(d) == KVM_STATS_TYPE_LINEAR_HIST && !d->bucket_size)
		return err_set(e, EINVAL, "KVM stats: linear histogram %s has bucket size 0", d->name);
	return 0;
}

int stats_parse_schema(const void *buf, size_t len, struct stats_schema *s, struct err *e)
{
	const uint8_t *b = buf;
	struct kvm_stats_header h;
	long need = stats_schema_size(buf, len, e);
	unsigned i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (need < 0)
		return (int)need;
	if ((size_t)need > len)
		return err_set(e, EINVAL, "KVM stats: descriptors end at byte %ld, only %zu read", need, len);
	memcpy(&h, buf, sizeof(h));
	ret = copy_name(s->id, b + h.id_offset, h.name_size, "id", 0, e);
	if (ret)
		return ret;
	s->desc = calloc(h.num_desc ? h.num_desc : 1, sizeof(*s->desc));
	if (!s->desc)
		return err_set(e, ENOMEM, "out of memory");
	for (i = 0; !ret && i < h.num_desc; i++) {
		struct stats_desc *d = &s->desc[i];
		uint32_t end;

		ret = parse_desc(b + h.desc_offset + (size_t)i * (DESC_FIXED_SIZE + h.name_size), h.name_size,
				 i, d, e);
		end = d->offset + d->size * (uint32_t)sizeof(uint64_t);
		if (!ret && end > s->data_size)
			s->data_size = end;
	}
	if (ret) {
		stats_schema_free(s);
		return ret;
	}
	s->num_desc = h.num_desc;
	s->data_offset = h.data_offset;
	return 0;
}

void stats_schema_free(struct stats_schema *s)
{
	free(s->desc);
	memset(s, 0, sizeof(*s));
}

int stats_find(const struct stats_schema *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->num_desc; i++)
		if (!strcmp(s->desc[i].name, name))
			return (int)i;
	return -1;
}

/* Units with a name for their exponent; others print as "BASE^E UNIT". */
struct named_unit {
	uint32_t unit;
	int exponent;
	const char *text;
};

static const struct named_unit named_units[] = {
	{ KVM_STATS_UNIT_SECONDS, -9, "ns" },
	{ KVM_STATS_UNIT_SECONDS, -6, "us" },
	{ KVM_STATS_UNIT_SECONDS, -3, "ms" },
	{ KVM_STATS_UNIT_BYTES, 10, "KiB" },
	{ KVM_STATS_UNIT_BYTES, 20, "MiB" },
	{ KVM_STATS_UNIT_BYTES, 30, "GiB" },
};

static const char *unit_name(uint32_t unit)
{
	switch (unit) {
	case KVM_STATS_UNIT_NONE: return "";
	case KVM_STATS_UNIT_BYTES: return "B";
	case KVM_STATS_UNIT_SECONDS: return "s";
	case KVM_STATS_UNIT_CYCLES: return "cycles";
	case KVM_STATS_UNIT_BOOLEAN: return "bool";
	default: return "?";	/* a unit newer than these headers */
	}
}

const char *stats_unit(const struct stats_desc *d, char *buf, size_t size)
{
	const char *name = unit_name(STATS_UNIT(d));
	bool pow2 = STATS_BASE(d) == KVM_STATS_BASE_POW2;
	size_t i;

	if (d->exponent == 0)
		return name;
	/* The value is in units of base^exponent: 10^-9 s is ns, 2^10 B is KiB (KVM API 4.133). */
	for (i = 0; i < sizeof(named_units) / sizeof(named_units[0]); i++) {
		const struct named_unit *u = &named_units[i];

		if (u->unit == STATS_UNIT(d) && u->exponent == d->exponent &&
		    pow2 == (u->unit == KVM_STATS_UNIT_BYTES))
			return u->text;
	}
	snprintf(buf, size, "%s^%d%s%s", pow2 ? "2" : "10", d->exponent, *name ? " " : "", name);
	return buf;
}

/* snprintf() at *pos of buf, which stays NUL-terminated and never overflows. */
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	*pos = n < 0 ? size : *pos + (size_t)n;
}

/* The values bucket i of a histogram holds: [*lo, *hi] (KVM API 4.133). */
static void bucket_range(const struct stats_desc *d, unsigned i, uint64_t *lo, uint64_t *hi)
{
	if (STATS_TYPE(d) == KVM_STATS_TYPE_LINEAR_HIST) {
		*lo = (uint64_t)i * d->bucket_size;
		*hi = *lo + d->bucket_size - 1;
		return;
	}
	/* Logarithmic: bucket 0 holds 0, bucket i holds [2^(i-1), 2^i). */
	*lo = i == 0 ? 0 : i - 1 < 64 ? 1ULL << (i - 1) : UINT64_MAX;
	*hi = i == 0 ? 0 : i < 64 ? (1ULL << i) - 1 : UINT64_MAX;
}

static void format_buckets(const struct stats_desc *d, const uint64_t *items, char *buf, size_t size)
{
	size_t pos = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < d->size; i++) {
		uint64_t lo, hi;

		if (!items[i])
			continue;
		bucket_range(d, i, &lo, &hi);
		append(buf, size, &pos, "%s%" PRIu64, pos ? " " : "", lo);
		/* The last bucket also takes every larger value. */
		if (i + 1 == d->size)
			append(buf, size, &pos, "+");
		else if (hi != lo)
			append(buf, size, &pos, "-%" PRIu64, hi);
		append(buf, size, &pos, ":%" PRIu64, items[i]);
	}
}

void stats_format_value(const struct stats_desc *d, const uint64_t *items, bool buckets, char *buf,
			size_t size)
{
	uint64_t sum = 0;
	unsigned i;

	if (!is_hist(d)) {
		snprintf(buf, size, "%" PRIu64, items[0]);
		return;
	}
	if (buckets) {
		format_buckets(d, items, buf, size);
		return;
	}
	for (i = 0; i < d->size; i++)
		sum = items[i] > UINT64_MAX - sum ? UINT64_MAX : sum + items[i];
	snprintf(buf, size, "n=%" PRIu64, sum);
}

int stats_parse_proc_cpu(const char *line)
{
	/* Field 2, (comm), may hold spaces and parentheses: count from the last ')' (proc(5)). */
	const char *p = strrchr(line, ')');
	unsigned field;
	long cpu = 0;

	if (!p)
		return -EINVAL;
	for (field = 2; field < 39; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		cpu = cpu * 10 + (*p - '0');
		if (cpu > CPUSET_MAX)
			return -EINVAL;
	}
	return *p == ' ' || *p == '\n' || *p == '\0' ? (int)cpu : -EINVAL;
}

/* "name [unit] (peak)": a statistic's row label. */
static void row_label(const struct stats_desc *d, char *buf, size_t size)
{
	char ubuf[32];
	const char *unit = stats_unit(d, ubuf, sizeof(ubuf));
	const char *kind = STATS_TYPE(d) == KVM_STATS_TYPE_PEAK ? " (peak)" :
			   STATS_TYPE(d) == KVM_STATS_TYPE_INSTANT ? " (now)" : "";

	snprintf(buf, size, "%s%s%s%s%s", d->name, *unit ? " [" : "", unit, *unit ? "]" : "", kind);
}

static int label_width(const struct stats_schema *s, int width)
{
	char label[STATS_NAME_MAX + 64];
	unsigned i;

	for (i = 0; s && i < s->num_desc; i++) {
		row_label(&s->desc[i], label, sizeof(label));
		if ((int)strlen(label) > width)
			width = (int)strlen(label);
	}
	return width;
}

/* The items of the statistic described by d in snapshot s (by name), or NULL. */
static const uint64_t *items_of(const struct stats_snapshot *s, const struct stats_desc *d, unsigned idx,
				const struct stats_desc **own)
{
	int i;

	if (!s->schema || !s->data)
		return NULL;
	/* Every vcpu has the same descriptors in practice: try the same index first. */
	i = idx < s->schema->num_desc && !strcmp(s->schema->desc[idx].name, d->name) ? (int)idx :
	    stats_find(s->schema, d->name);
	if (i < 0)
		return NULL;
	*own = &s->schema->desc[i];
	return s->data + (*own)->offset / sizeof(uint64_t);
}

static void print_place_rows(FILE *out, int width, const struct vcpu_place *places, unsigned from,
			     unsigned to)
{
	struct cpulist_buf b;
	unsigned j;

	fprintf(out, "  %-*s", width, "host CPU (last run)");
	for (j = from; j < to; j++) {
		char cpu[16] = "?";

		if (places[j].cpu >= 0)
			snprintf(cpu, sizeof(cpu), "%d", places[j].cpu);
		fprintf(out, " %*s", CELL_WIDTH, cpu);
	}
	fprintf(out, "\n  %-*s", width, "allowed host CPUs");
	for (j = from; j < to; j++)
		fprintf(out, " %*s", CELL_WIDTH,
			places[j].have_allowed ? cpulist_str(&places[j].allowed, &b) : "?");
	fputc('\n', out);
}

static void print_vcpu_block(FILE *out, int width, const struct stats_snapshot *vcpus,
			     const struct vcpu_place *places, unsigned from, unsigned to)
{
	const struct stats_schema *rows = vcpus[0].schema;
	char label[STATS_NAME_MAX + 64], cell[64];
	unsigned i, j;

	fprintf(out, "%-*s", width + 2, "vcpus");
	for (j = from; j < to; j++) {
		snprintf(cell, sizeof(cell), "vcpu%u", j);
		fprintf(out, " %*s", CELL_WIDTH, cell);
	}
	fputc('\n', out);
	print_place_rows(out, width, places, from, to);
	for (i = 0; rows && i < rows->num_desc; i++) {
		row_label(&rows->desc[i], label, sizeof(label));
		fprintf(out, "  %-*s", width, label);
		for (j = from; j < to; j++) {
			const struct stats_desc *own = NULL;
			const uint64_t *items = items_of(&vcpus[j], &rows->desc[i], i, &own);

			if (items)
				stats_format_value(own, items, false, cell, sizeof(cell));
			else
				snprintf(cell, sizeof(cell), "-");
			fprintf(out, " %*s", CELL_WIDTH, cell);
		}
		fputc('\n', out);
	}
}

/* "  WHO label: buckets" for each non-empty histogram of s. */
static void print_histograms(FILE *out, const char *who, const struct stats_snapshot *s)
{
	char label[STATS_NAME_MAX + 64], buckets[1024];
	unsigned i;

	for (i = 0; s->schema && s->data && i < s->schema->num_desc; i++) {
		const struct stats_desc *d = &s->schema->desc[i];

		if (!is_hist(d))
			continue;
		stats_format_value(d, s->data + d->offset / sizeof(uint64_t), true, buckets, sizeof(buckets));
		if (!buckets[0])
			continue;
		row_label(d, label, sizeof(label));
		fprintf(out, "  %s%s%s: %s\n", who, *who ? " " : "", label, buckets);
	}
}

static void print_vm_rows(FILE *out, int width, const struct stats_snapshot *vm)
{
	char label[STATS_NAME_MAX + 64], cell[64];
	unsigned i;

	if (!vm->schema || !vm->data) {
		fprintf(out, "VM: no statistics\n");
		return;
	}
	fprintf(out, "VM (%s)\n", vm->schema->id);
	for (i = 0; i < vm->schema->num_desc; i++) {
		const struct stats_desc *d = &vm->schema->desc[i];

		row_label(d, label, sizeof(label));
		stats_format_value(d, vm->data + d->offset / sizeof(uint64_t), false, cell, sizeof(cell));
		fprintf(out, "  %-*s %*s\n", width, label, CELL_WIDTH, cell);
	}
	print_histograms(out, "", vm);
}

void stats_print_table(FILE *out, const struct stats_snapshot *vm, const struct stats_snapshot *vcpus,
		       const struct vcpu_place *places, unsigned nr_vcpus)
{
	int width = label_width(vm->schema, label_width(nr_vcpus ? vcpus[0].schema : NULL, 20));
	char who[32];
	unsigned from, j;

	print_vm_rows(out, width, vm);
	for (from = 0; from < nr_vcpus; from += COLS_PER_BLOCK)
		print_vcpu_block(out, width, vcpus, places, from,
				 nr_vcpus - from < COLS_PER_BLOCK ? nr_vcpus : from + COLS_PER_BLOCK);
	for (j = 0; j < nr_vcpus; j++) {
		snprintf(who, sizeof(who), "vcpu%u", j);
		print_histograms(out, who, &vcpus[j]);
	}
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off, struct err *e)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, errno, "reading KVM statistics at offset %" PRIu64, off);
		if (n == 0)
			return err_set(e, EIO, "KVM statistics end before offset %" PRIu64, off + len);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int stats_file_open(struct stats_file *f, int kvm_obj_fd, const char *what, struct err *e)
{
	struct kvm_stats_header h;
	void *buf = NULL;
	long size;
	int ret;

	f->fd = kvm_ioctl_raw(kvm_obj_fd, KVM_GET_STATS_FD, NULL);
	if (f->fd < 0) {
		ret = f->fd;
		f->fd = -1;
		return err_sys(e, -ret, "KVM_GET_STATS_FD on %s", what);
	}
	ret = pread_full(f->fd, &h, sizeof(h), 0, e);
	size = ret ? ret : stats_schema_size(&h, sizeof(h), e);
	if (size < 0)
		return (int)size;
	buf = malloc((size_t)size);
	if (!buf)
		return err_set(e, ENOMEM, "out of memory");
	ret = pread_full(f->fd, buf, (size_t)size, 0, e);
	if (!ret)
		ret = stats_parse_schema(buf, (size_t)size, &f->schema, e);
	free(buf);
	return ret;
}

int stats_file_read(const struct stats_file *f, uint64_t *items, struct err *e)
{
	return pread_full(f->fd, items, f->schema.data_size, f->schema.data_offset, e);
}

void stats_file_close(struct stats_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	stats_schema_free(&f->schema);
}

static int read_proc_cpu(pid_t tid, struct err *e)
{
	char path[64], line[1024];
	ssize_t n;
	int fd, cpu;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "cannot open %s", path);
	n = read(fd, line, sizeof(line) - 1);
	if (n < 0)
		cpu = err_sys(e, errno, "cannot read %s", path);
	else
		line[n] = '\0';
	close(fd);
	if (n < 0)
		return cpu;
	cpu = stats_parse_proc_cpu(line);
	return cpu < 0 ? err_set(e, EINVAL, "%s: no processor field", path) : cpu;
}

int stats_thread_place(pid_t tid, struct vcpu_place *p, struct err *e)
{
	int cpu = tid ? read_proc_cpu(tid, e) : sched_getcpu();
	cpu_set_t set;

	p->cpu = -1;
	p->have_allowed = false;
	if (cpu < 0)
		return tid ? cpu : err_sys(e, errno, "sched_getcpu");
	p->cpu = cpu;
	if (sched_getaffinity(tid, sizeof(set), &set))
		return err_sys(e, errno, "sched_getaffinity of thread %d", (int)tid);
	cpuset_from_cpu_set(&set, &p->allowed);
	p->have_allowed = true;
	return 0;
}

int stats_vm_open(struct vm *vm, struct err *e)
{
	char what[32];
	unsigned i;
	int ret;

	if (!kvm_check_cap(vm->kvm_fd, KVM_CAP_BINARY_STATS_FD))
		return err_set(e, ENOTSUP, "host KVM lacks KVM_CAP_BINARY_STATS_FD (binary statistics, Linux 5.14+)");
	ret = stats_file_open(&vm->stats, vm->vm_fd, "the VM", e);
	for (i = 0; !ret && i < vm->nr_vcpus; i++) {
		snprintf(what, sizeof(what), "vcpu %u", i);
		ret = stats_file_open(&vm->vcpus[i].stats, vm->vcpus[i].fd, what, e);
	}
	return ret;
}

void stats_vm_close(struct vm *vm)
{
	unsigned i;

	stats_file_close(&vm->stats);
	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		stats_file_close(&vm->vcpus[i].stats);
}

/* Reads f into a new buffer (*data, to free), or leaves *data NULL when there is nothing to read. */
static int snapshot(const struct stats_file *f, struct stats_snapshot *s, uint64_t **data, struct err *e)
{
	*data = NULL;
	s->schema = f->fd >= 0 ? &f->schema : NULL;
	s->data = NULL;
	if (!s->schema)
		return 0;
	*data = calloc(1, f->schema.data_size + sizeof(uint64_t));
	if (!*data)
		return err_set(e, ENOMEM, "out of memory");
	s->data = *data;
	return stats_file_read(f, *data, e);
}

/* A running vcpu thread's placement now, an ended one's where it last was. */
static void vcpu_place_now(const struct vcpu *vcpu, struct vcpu_place *p)
{
	pid_t tid = __atomic_load_n(&vcpu->tid, __ATOMIC_ACQUIRE);

	if (!vcpu->started) {
		*p = vcpu->place;
		return;
	}
	/* The thread may be ending right now: then its place is simply unknown. */
	if (!tid || stats_thread_place(tid, p, NULL))
		p->cpu = -1;
}

int stats_vm_report(struct vm *vm, FILE *out, struct err *e)
{
	struct stats_snapshot vm_snap, *snaps = calloc(vm->nr_vcpus + 1, sizeof(*snaps));
	struct vcpu_place *places = calloc(vm->nr_vcpus + 1, sizeof(*places));
	uint64_t **data = calloc(vm->nr_vcpus + 1, sizeof(*data));
	unsigned i;
	int ret = 0;

	if (vm->stats.fd < 0)
		ret = err_set(e, ENOTSUP, "no KVM statistics for this VM: %s",
			      vm->stats_err.msg[0] ? vm->stats_err.msg : "not opened");
	else if (!snaps || !places || !data)
		ret = err_set(e, ENOMEM, "out of memory");
	if (!ret)
		ret = snapshot(&vm->stats, &vm_snap, &data[vm->nr_vcpus], e);
	for (i = 0; !ret && i < vm->nr_vcpus; i++) {
		ret = snapshot(&vm->vcpus[i].stats, &snaps[i], &data[i], e);
		vcpu_place_now(&vm->vcpus[i], &places[i]);
	}
	if (!ret)
		stats_print_table(out, &vm_snap, snaps, places, vm->nr_vcpus);
	for (i = 0; data && i <= vm->nr_vcpus; i++)
		free(data[i]);
	free(data);
	free(places);
	free(snaps);
	return ret;
}
