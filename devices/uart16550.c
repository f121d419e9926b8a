/* uart16550.c: an NS16550A UART on MMIO (8-bit registers), the guest's ttyS0 and earlycon. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device.h"
#include "devices/devices.h"

/* Register offsets (PC16550D datasheet); DLAB=1 maps 0/1 to the divisor latch. */
enum {
	UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_ON	0xc0
#define FCR_FIFO_EN	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCD_DSR_CTS	0xb0

#define RX_FIFO_SIZE	64

struct uart {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thr_pending;	/* THRE interrupt raised and not yet acknowledged */
	uint8_t rx[RX_FIFO_SIZE];
	unsigned rx_head, rx_count;
	int irq_level;
};

static void uart_update_irq(struct device *dev)
{
	struct uart *u = dev->priv;
	int level = ((u->ier & IER_RDI) && u->rx_count) || ((u->ier & IER_THRI) && u->thr_pending);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	dev->host->set_irq(dev->host->ctx, dev->spi, level);
}

static uint8_t uart_iir(struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_FIFO_EN) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_pending) {
		/* Reading IIR with THRE as the source acknowledges it. */
		u->thr_pending = false;
		return fifo | IIR_THRI;
	}
	return fifo | IIR_NO_INT;
}

/* Empties the receive FIFO; if it was full, the VMM is holding input back and must hear there is room. */
static void uart_rx_clear(struct device *dev)
{
	struct uart *u = dev->priv;
	bool was_full = u->rx_count == RX_FIFO_SIZE;

	u->rx_count = 0;
	u->rx_head = 0;
	if (was_full)
		dev->host->console_ready(dev->host->ctx);
}

static uint8_t uart_pop(struct device *dev)
{
	struct uart *u = dev->priv;
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO_SIZE;
	if (u->rx_count-- == RX_FIFO_SIZE)
		dev->host->console_ready(dev->host->ctx);
	return c;
}

static uint8_t uart_read(struct device *dev, unsigned reg)
{
	struct uart *u = dev->priv;
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR: return dlab ? u->dll : uart_pop(dev);
	case UART_IER: return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR: return uart_iir(u);
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR: return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case UART_MSR: return MSR_DCD_DSR_CTS;
	default: return u->scr;
	}
}

static void uart_write(struct device *dev, unsigned reg, uint8_t v)
{
	struct uart *u = dev->priv;
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab) {
			u->dll = v;
			return;
		}
		/* Loopback mode sends nothing out; transmission is instant otherwise. */
		if (!(u->mcr & MCR_LOOP))
			dev->host->console_out(dev->host->ctx, &v, 1);
		u->thr_pending = true;
		return;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			return;
		}
		/* Enabling THRI with the holder empty raises THRE at once, as hardware does. */
		if (!(u->ier & IER_THRI) && (v & IER_THRI))
			u->thr_pending = true;
		u->ier = v & 0x0f;
		return;
	case UART_IIR_FCR:
		u->fcr = v & ~FCR_CLEAR_RX;
		if (v & FCR_CLEAR_RX)
			uart_rx_clear(dev);
		return;
	case UART_LCR: u->lcr = v; return;
	case UART_MCR: u->mcr = v; return;
	case UART_SCR: u->scr = v; return;
	default: return;	/* LSR, MSR: read-only */
	}
}

static void uart_mmio(struct device *dev, uint64_t offset, uint8_t *data, unsigned len,
		      bool is_write)
{
	/* 8-bit registers at consecutive offsets (reg-shift 0); wider accesses touch only the first byte. */
	(void)len;
	if (offset > UART_SCR)
		return;
	if (is_write)
		uart_write(dev, offset, data[0]);
	else
		data[0] = uart_read(dev, offset);
	uart_update_irq(dev);
}

static size_t uart_console_in(struct device *dev, const uint8_t *buf, size_t len)
{
	struct uart *u = dev->priv;
	size_t n = 0;

	while (n < len && u->rx_count < RX_FIFO_SIZE) {
		u->rx[(u->rx_head + u->rx_count) % RX_FIFO_SIZE] = buf[n++];
		u->rx_count++;
	}
	uart_update_irq(dev);
	return n;
}

static void uart_reset(struct device *dev)
{
	struct uart *u = dev->priv;
	int level = u->irq_level;

	uart_rx_clear(dev);
	memset(u, 0, sizeof(*u));
	if (level)
		dev->host->set_irq(dev->host->ctx, dev->spi, 0);
}

static int uart_init(struct device *dev, struct err *e)
{
	dev->priv = calloc(1, sizeof(struct uart));
	if (!dev->priv)
		return err_set(e, ENOMEM, "uart: out of memory");
	return 0;
}

static void uart_teardown(struct device *dev)
{
	free(dev->priv);
	dev->priv = NULL;
}

const struct device_ops uart16550_ops = {
	.name = "uart16550",
	.dt_kind = DT_DEV_UART16550,
	.compatible = "ns16550a",
	.mmio_size = 0x1000,
	.init = uart_init,
	.mmio = uart_mmio,
	.reset = uart_reset,
	.teardown = uart_teardown,
	.console_in = uart_console_in,
};
