/* virtio_net.c: virtio network device (virtio 1.2, 5.1) on a host tap interface, without offloads. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/virtio.h"
#include "vmm/log.h"

#define VIRTIO_ID_NET		1

/* Feature bits (5.1.3); no CSUM/GSO ones, so every frame is plain and fully checksummed. */
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_STATUS	16
#define VIRTIO_NET_S_LINK_UP	1

/* struct virtio_net_config (5.1.4): mac[6] then le16 status. */
#define CFG_MAC			0
#define CFG_STATUS		6
#define CFG_SIZE		8

/* struct virtio_net_hdr with num_buffers, which VERSION_1 always has (5.1.6). */
#define NET_HDR_SIZE		12
#define HDR_NUM_BUFFERS		10

#define RECEIVEQ		0
#define TRANSMITQ		1

/* Locally administered (bit 1 of the first byte), QEMU's well-known prefix; one NIC per VM. */
static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct net {
	int tap;
	/*
	 * The main loop watches this epoll fd, not the tap: taking the tap out
	 * of it stops the level-triggered wake-ups while the guest has no
	 * receive buffers, and a packet waits in the tap until it posts some.
	 */
	int epoll;
	bool armed;
	bool have_rx;		/* rx holds a popped receive chain not yet used */
	struct vq_chain rx;
	bool err_logged;
	char ifname[IFNAMSIZ];
};

static bool key_is(const char *opt, size_t len, const char *key)
{
	size_t k = strlen(key);

	return len >= k && !strncmp(opt, key, k);
}

/* mode=tap,tapif=NAME, in any order. */
static int parse_arg(const char *arg, char *ifname, struct err *e)
{
	const char *opt = arg;
	bool tap = false;

	while (*opt) {
		size_t len = strcspn(opt, ",");

		if (len == 8 && key_is(opt, len, "mode=tap")) {
			tap = true;
		} else if (key_is(opt, len, "tapif=") && len > 6 && len - 6 < IFNAMSIZ) {
			memcpy(ifname, opt + 6, len - 6);
			ifname[len - 6] = '\0';
		} else {
			return err_set(e, EINVAL, "network %s: bad option '%.*s' (expected "
				       "mode=tap,tapif=NAME, NAME up to %u characters)", arg, (int)len,
				       opt, IFNAMSIZ - 1);
		}
		opt += len + (opt[len] == ',');
	}
	if (!tap || !ifname[0])
		return err_set(e, EINVAL, "network %s: expected mode=tap,tapif=NAME", arg);
	return 0;
}

static int tunsetiff_error(const char *ifname, int err, struct err *e)
{
	if (err == EPERM)
		return err_set(e, err, "tap %s: attaching needs CAP_NET_ADMIN (or a tap created for "
			       "this user: ip tuntap add %s mode tap user USER)", ifname, ifname);
	if (err == EBUSY)
		return err_set(e, err, "tap %s is in use by another process", ifname);
	return err_sys(e, err, "tap %s: TUNSETIFF", ifname);
}

/*
 * IFF_VNET_HDR with a 12-byte header matches the guest's frames byte for
 * byte; offloads are switched off explicitly because a persistent tap keeps
 * those of its last user, and we could not hand GSO frames to the guest.
 */
static int open_tap(struct net *nt, struct err *e)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = NET_HDR_SIZE;

	nt->tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (nt->tap < 0)
		return err_sys(e, errno, "cannot open /dev/net/tun (tun module not loaded?)");
	memcpy(ifr.ifr_name, nt->ifname, sizeof(nt->ifname));
	if (ioctl(nt->tap, TUNSETIFF, &ifr))
		return tunsetiff_error(nt->ifname, errno, e);
	if (ioctl(nt->tap, TUNSETVNETHDRSZ, &hdr))
		return err_sys(e, errno, "tap %s: TUNSETVNETHDRSZ", nt->ifname);
	if (ioctl(nt->tap, TUNSETOFFLOAD, 0UL))
		return err_sys(e, errno, "tap %s: TUNSETOFFLOAD", nt->ifname);
	return 0;
}

static int set_armed(struct net *nt, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (nt->armed == on)
		return 0;
	/* DEL, not MOD to no events: epoll reports EPOLLERR/EPOLLHUP regardless. */
	if (epoll_ctl(nt->epoll, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, nt->tap, &ev))
		return -errno;
	nt->armed = on;
	return 0;
}

static int setup_watch(struct virtio_dev *vd, struct net *nt, struct err *e)
{
	int ret;

	nt->epoll = epoll_create1(EPOLL_CLOEXEC);
	if (nt->epoll < 0)
		return err_sys(e, errno, "epoll_create1");
	ret = set_armed(nt, true);
	if (ret)
		return err_sys(e, -ret, "tap %s: epoll_ctl", nt->ifname);
	return virtio_watch_fd(vd, nt->epoll, e);
}

static void fill_config(struct virtio_dev *vd)
{
	uint16_t status = htole16(VIRTIO_NET_S_LINK_UP);

	memcpy(vd->config + CFG_MAC, default_mac, sizeof(default_mac));
	memcpy(vd->config + CFG_STATUS, &status, sizeof(status));
}

static int net_init(struct virtio_dev *vd, const char *arg, struct err *e)
{
	struct net *nt;
	int ret;

	if (!arg)
		return err_set(e, EINVAL, "virtio-net: no network spec given");
	nt = calloc(1, sizeof(*nt));
	if (!nt)
		return err_set(e, ENOMEM, "out of memory");
	nt->tap = nt->epoll = -1;
	vd->priv = nt;
	ret = parse_arg(arg, nt->ifname, e);
	if (!ret)
		ret = open_tap(nt, e);
	if (!ret)
		ret = setup_watch(vd, nt, e);
	if (!ret)
		fill_config(vd);
	return ret;
}

/* Host-side errors drop the frame, as a NIC would; the host log gets the first. */
static void net_error(struct virtio_dev *vd, const char *what, int err)
{
	struct net *nt = vd->priv;

	if (!nt->err_logged)
		pr_debug("virtio-net@0x%llx: tap %s: %s: %s", (unsigned long long)vd->dev->base,
			 nt->ifname, what, strerror(err));
	nt->err_logged = true;
}

/*
 * Transmit (5.1.6.2): the guest's header is replaced by an all-zero one: no
 * offload was negotiated, so nothing in it may ask the host kernel for
 * checksumming or segmentation.
 */
static int net_tx_chain(struct virtio_dev *vd, const struct vq_chain *c, uint32_t *written,
			const char **why)
{
	static const uint8_t zero_hdr[NET_HDR_SIZE];
	struct net *nt = vd->priv;
	struct iovec iov[VQ_MAX_SIZE + 1];
	unsigned cnt;

	if (c->out_len < NET_HDR_SIZE) {
		*why = "virtio-net transmit buffer shorter than its header";
		return -1;
	}
	iov[0] = (struct iovec){ (void *)zero_hdr, NET_HDR_SIZE };
	cnt = 1 + vq_iov(c->out, c->nr_out, NET_HDR_SIZE, c->out_len - NET_HDR_SIZE, iov + 1);
	if (writev(nt->tap, iov, cnt) < 0)
		net_error(vd, "write", errno);
	*written = 0;
	return 0;
}

/* The receive chain the next frame goes into: 1, 0 if the guest has none, -1 if broken. */
static int take_rx_chain(struct virtio_dev *vd, struct net *nt)
{
	struct virtqueue *vq = &vd->vq[RECEIVEQ];
	const char *why;
	int ret;

	if (!vq->ready)
		return 0;
	if (nt->have_rx)
		return 1;
	ret = vq_pop(vq, virtio_mem(vd), &nt->rx, &why);
	if (ret < 0) {
		virtio_broken(vd, why);
		return -1;
	}
	if (ret && nt->rx.in_len < NET_HDR_SIZE) {
		virtio_broken(vd, "virtio-net receive buffer shorter than the header");
		return -1;
	}
	nt->have_rx = ret;
	return ret;
}

/*
 * Received frames get a header of our own (5.1.6.4): flags and GSO zero,
 * since nothing was negotiated, and num_buffers 1 without MRG_RXBUF.
 */
static uint32_t finish_rx(const struct vq_chain *c, ssize_t n)
{
	uint8_t hdr[NET_HDR_SIZE] = { [HDR_NUM_BUFFERS] = 1 };

	vq_chain_write(c, 0, hdr, sizeof(hdr));
	return (uint64_t)n < c->in_len ? (uint32_t)n : (uint32_t)c->in_len;
}

/* Reads one frame into the pending chain: 1 done, 0 the tap is empty, -1 on a tap error. */
static int rx_one(struct virtio_dev *vd, struct net *nt)
{
	struct iovec iov[VQ_MAX_SIZE];
	unsigned cnt = vq_iov(nt->rx.in, nt->rx.nr_in, 0, nt->rx.in_len, iov);
	ssize_t n = readv(nt->tap, iov, cnt);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		net_error(vd, "read", errno);
		return -1;
	}
	vq_push(&vd->vq[RECEIVEQ], nt->rx.head, finish_rx(&nt->rx, n));
	nt->have_rx = false;
	return 1;
}

/* Moves frames into receive chains; true when the tap ran dry with a chain waiting for the next. */
static bool rx_frames(struct virtio_dev *vd, struct net *nt, bool *pushed)
{
	int ret;

	while (take_rx_chain(vd, nt) > 0) {
		ret = rx_one(vd, nt);
		if (ret <= 0)
			return ret == 0;
		*pushed = true;
	}
	return false;
}

/*
 * Out of receive chains (or on a tap error, which would wake us forever)
 * the tap is unwatched until the guest kicks the receive queue.
 */
static void net_rx(struct virtio_dev *vd)
{
	struct net *nt = vd->priv;
	bool pushed = false;
	int err;

	if (!rx_frames(vd, nt, &pushed)) {
		err = set_armed(nt, false);
		if (err)
			net_error(vd, "epoll_ctl", -err);
	}
	if (pushed)
		virtio_notify(vd, RECEIVEQ);
}

static void net_notify(struct virtio_dev *vd, unsigned q)
{
	struct net *nt = vd->priv;
	int err;

	if (q == TRANSMITQ) {
		virtio_process_queue(vd, q, net_tx_chain);
		return;
	}
	err = set_armed(nt, true);
	if (err)
		net_error(vd, "epoll_ctl", -err);
	net_rx(vd);
}

static void net_reset(struct virtio_dev *vd)
{
	struct net *nt = vd->priv;

	nt->have_rx = false;
	nt->err_logged = false;
}

static void net_teardown(struct virtio_dev *vd)
{
	struct net *nt = vd->priv;

	if (!nt)
		return;
	if (nt->epoll >= 0)
		close(nt->epoll);
	if (nt->tap >= 0)
		close(nt->tap);
	free(nt);
	vd->priv = NULL;
}

const struct virtio_type_ops virtio_net_type = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS,
	.nr_queues = 2,
	.config_size = CFG_SIZE,
	.init = net_init,
	.queue_notify = net_notify,
	.reset = net_reset,
	.teardown = net_teardown,
	.fd_ready = net_rx,
};
