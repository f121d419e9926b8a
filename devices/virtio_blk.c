/* virtio_blk.c: virtio block device (virtio 1.2, 5.2) on a raw image file or host block device. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio.h"
#include "vmm/log.h"

#define VIRTIO_ID_BLOCK		2

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define SECTOR_SIZE		512
#define BLK_ID_BYTES		20	/* GET_ID answer: a NUL-padded string (5.2.6) */

/* struct virtio_blk_config offsets (5.2.4); lkvm fills the fields up to blk_size. */
#define CFG_CAPACITY		0
#define CFG_SEG_MAX		12
#define CFG_BLK_SIZE		20
#define CFG_SIZE		24

/* A chain is at most VQ_MAX_SIZE descriptors; a request needs one for the header, one for status. */
#define SEG_MAX			(VQ_MAX_SIZE - 2)

/* struct virtio_blk_req's device-readable header (5.2.6), little-endian. */
struct blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct blk {
	int fd;
	bool ro;
	uint64_t capacity;		/* in 512-byte sectors */
	char id[BLK_ID_BYTES];		/* GET_ID serial: the image's basename */
	bool io_err_logged;
};

/* PATH[,ro]: splits arg into a malloc'd *path and the ro flag. */
static int parse_spec(const char *arg, char **path, bool *ro, struct err *e)
{
	const char *opt = strchr(arg, ',');
	size_t n = opt ? (size_t)(opt - arg) : strlen(arg);

	*ro = false;
	if (!n)
		return err_set(e, EINVAL, "disk '%s': empty path (expected PATH[,ro])", arg);
	while (opt) {
		const char *end = strchr(++opt, ',');
		size_t len = end ? (size_t)(end - opt) : strlen(opt);

		if (len != 2 || strncmp(opt, "ro", 2))
			return err_set(e, EINVAL, "disk %s: unknown option '%.*s' (expected PATH[,ro])",
				       arg, (int)len, opt);
		*ro = true;
		opt = end;
	}
	*path = strndup(arg, n);
	return *path ? 0 : err_set(e, ENOMEM, "out of memory");
}

/*
 * O_NONBLOCK only so that a FIFO given by mistake cannot hang open(); it is
 * meaningless for files and block devices, which are all we keep.
 */
static int open_image(const char *path, bool ro, struct err *e)
{
	int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	int err = errno;

	if (fd >= 0)
		return fd;
	if (!ro && (err == EACCES || err == EROFS || err == ETXTBSY))
		return err_set(e, err, "disk %s is not writable (%s); append ,ro to attach it read-only",
			       path, strerror(err));
	return err_sys(e, err, "cannot open disk %s", path);
}

/* Image size in bytes: a regular file's length or a block device's size. */
static int image_size(int fd, const char *path, uint64_t *size, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st))
		return err_sys(e, errno, "disk %s: fstat", path);
	if (S_ISREG(st.st_mode)) {
		*size = st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return err_set(e, EINVAL, "disk %s: not a regular file or block device", path);
	if (ioctl(fd, BLKGETSIZE64, size))
		return err_sys(e, errno, "disk %s: BLKGETSIZE64", path);
	return 0;
}

static int blk_open(struct blk *b, const char *path, struct err *e)
{
	uint64_t size;
	int ret;

	b->fd = open_image(path, b->ro, e);
	if (b->fd < 0)
		return b->fd;
	ret = image_size(b->fd, path, &size, e);
	if (ret)
		return ret;
	if (size < SECTOR_SIZE)
		return err_set(e, EINVAL, "disk %s is empty (%llu bytes; a disk needs at least one "
			       "512-byte sector)", path, (unsigned long long)size);
	if (size % SECTOR_SIZE)
		pr_warn("disk %s: size is not a multiple of 512; the guest sees only the first %llu "
			"bytes", path, (unsigned long long)(size / SECTOR_SIZE * SECTOR_SIZE));
	b->capacity = size / SECTOR_SIZE;
	if (fcntl(b->fd, F_SETFL, 0))
		return err_sys(e, errno, "disk %s: fcntl", path);
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void fill_config(struct virtio_dev *vd, const struct blk *b)
{
	uint64_t cap = htole64(b->capacity);

	memcpy(vd->config + CFG_CAPACITY, &cap, sizeof(cap));
	put_le32(vd->config + CFG_SEG_MAX, SEG_MAX);
	put_le32(vd->config + CFG_BLK_SIZE, SECTOR_SIZE);
}

/* The serial GET_ID reports: the image's basename, cut to 20 bytes. */
static void set_id(struct blk *b, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t n = strlen(name);

	memcpy(b->id, name, n < BLK_ID_BYTES ? n : BLK_ID_BYTES);
}

static int blk_init(struct virtio_dev *vd, const char *arg, struct err *e)
{
	struct blk *b;
	char *path;
	bool ro;
	int ret;

	if (!arg)
		return err_set(e, EINVAL, "virtio-blk: no disk image given");
	ret = parse_spec(arg, &path, &ro, e);
	if (ret)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b) {
		free(path);
		return err_set(e, ENOMEM, "out of memory");
	}
	b->ro = ro;
	vd->priv = b;
	if (ro)
		vd->features |= 1ULL << VIRTIO_BLK_F_RO;	/* the guest mounts it read-only */
	ret = blk_open(b, path, e);
	if (!ret) {
		fill_config(vd, b);
		set_id(b, path);
	}
	free(path);
	return ret;
}

/* Reads or writes the whole iovec at off, resuming after short transfers; 0 or -errno. */
static int xfer(int fd, struct iovec *iov, int cnt, off_t off, bool write)
{
	while (cnt) {
		ssize_t n = write ? pwritev(fd, iov, cnt, off) : preadv(fd, iov, cnt, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the image shrank under us */
		off += n;
		for (; cnt && (size_t)n >= iov->iov_len; iov++, cnt--)
			n -= iov->iov_len;
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/* Host I/O errors become VIRTIO_BLK_S_IOERR for the guest; the host log gets the first. */
static uint8_t io_error(struct virtio_dev *vd, const char *what, int err)
{
	struct blk *b = vd->priv;

	if (!b->io_err_logged)
		pr_debug("virtio-blk@0x%llx: %s: %s (guest sees an I/O error)",
			 (unsigned long long)vd->dev->base, what, strerror(err));
	b->io_err_logged = true;
	return VIRTIO_BLK_S_IOERR;
}

/*
 * IN and OUT (5.2.6.1): data follows the header in the readable buffers
 * (OUT) or precedes the status byte in the writable ones (IN); it must be
 * whole sectors within the disk.
 */
static uint8_t blk_rw(struct virtio_dev *vd, const struct vq_chain *c, uint64_t sector,
		      bool write, uint32_t *data_len)
{
	struct blk *b = vd->priv;
	struct iovec iov[VQ_MAX_SIZE];
	uint64_t len = write ? c->out_len - sizeof(struct blk_req_hdr) : c->in_len - 1;
	unsigned cnt;
	int ret;

	if (write && b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR_SIZE || len >= UINT32_MAX || sector > b->capacity ||
	    len / SECTOR_SIZE > b->capacity - sector)
		return VIRTIO_BLK_S_IOERR;
	if (write)
		cnt = vq_iov(c->out, c->nr_out, sizeof(struct blk_req_hdr), len, iov);
	else
		cnt = vq_iov(c->in, c->nr_in, 0, len, iov);
	ret = xfer(b->fd, iov, cnt, (off_t)(sector * SECTOR_SIZE), write);
	if (ret)
		return io_error(vd, write ? "pwritev" : "preadv", -ret);
	*data_len = write ? 0 : len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_flush(struct virtio_dev *vd)
{
	struct blk *b = vd->priv;

	if (b->ro)
		return VIRTIO_BLK_S_OK;	/* nothing of ours to write back */
	return fdatasync(b->fd) ? io_error(vd, "fdatasync", errno) : VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *data_len)
{
	struct blk *b = vd->priv;
	uint64_t room = c->in_len - 1;

	*data_len = vq_chain_write(c, 0, b->id, room < BLK_ID_BYTES ? room : BLK_ID_BYTES);
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_request(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *data_len)
{
	struct blk_req_hdr h;

	if (vq_chain_read(c, 0, &h, sizeof(h)) != sizeof(h))
		return VIRTIO_BLK_S_IOERR;
	switch (le32toh(h.type)) {
	case VIRTIO_BLK_T_IN: return blk_rw(vd, c, le64toh(h.sector), false, data_len);
	case VIRTIO_BLK_T_OUT: return blk_rw(vd, c, le64toh(h.sector), true, data_len);
	case VIRTIO_BLK_T_FLUSH: return blk_flush(vd);
	case VIRTIO_BLK_T_GET_ID: return blk_get_id(vd, c, data_len);
	default: return VIRTIO_BLK_S_UNSUPP;
	}
}

/*
 * The status byte is the last writable byte (5.2.6); a chain without one
 * cannot even be answered, so that alone breaks the device.  Everything
 * else wrong with a request is the guest's I/O error.
 */
static int blk_chain(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *written,
		     const char **why)
{
	uint32_t data_len = 0;
	uint8_t status;

	if (!c->in_len) {
		*why = "virtio-blk request without a writable status byte";
		return -1;
	}
	status = blk_request(vd, c, &data_len);
	vq_chain_write(c, c->in_len - 1, &status, 1);
	*written = data_len + 1;
	return 0;
}

static void blk_notify(struct virtio_dev *vd, unsigned q)
{
	virtio_process_queue(vd, q, blk_chain);
}

static void blk_reset(struct virtio_dev *vd)
{
	struct blk *b = vd->priv;

	b->io_err_logged = false;
}

static void blk_teardown(struct virtio_dev *vd)
{
	struct blk *b = vd->priv;

	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	vd->priv = NULL;
}

const struct virtio_type_ops virtio_blk_type = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.features = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
		    1ULL << VIRTIO_BLK_F_FLUSH,
	.nr_queues = 1,
	.config_size = CFG_SIZE,
	.init = blk_init,
	.queue_notify = blk_notify,
	.reset = blk_reset,
	.teardown = blk_teardown,
};
