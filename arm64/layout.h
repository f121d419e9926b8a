/* layout.h: the guest physical memory map of an lkvm arm64 VM (kvmtool-compatible RAM and UART addresses). */
#ifndef LKVM_ARM64_LAYOUT_H
#define LKVM_ARM64_LAYOUT_H

/*
 * Guest physical address space (IPA).  RAM and the first 16550 sit where
 * kvmtool puts them, so payloads and `earlycon=uart,mmio,0x1000000` written
 * for kvmtool work unchanged.
 *
 *   0x0000_0000 +--------------------------------+
 *               | unmapped (accesses: logged,    |
 *               | read as zero)                  |
 *   0x0100_0000 +--------------------------------+ LAYOUT_UART_BASE
 *               | 16550 UART (ttyS0), 4 KiB      |
 *   0x0100_1000 +--------------------------------+ LAYOUT_EXIT_BASE
 *               | exit device: guest writes its  |
 *               | exit status here (4 KiB)       |
 *   0x0100_2000 +--------------------------------+ LAYOUT_MMIO_BASE
 *               | device MMIO windows, handed    |
 *               | out by vmm/resources.c         |
 *   0x0800_0000 +--------------------------------+ LAYOUT_MMIO_END
 *               | unmapped                       |
 *   redist base +--------------------------------+ LAYOUT_GICR_TOP - n * 128 KiB
 *               | GICv3 redistributors,          |
 *               | 2 x 64 KiB frames per vcpu     |
 *   0x3ffd_0000 +--------------------------------+ LAYOUT_GICR_TOP = LAYOUT_GICC_BASE
 *               | GICv2 CPU interface (v2 only)  |
 *   0x3fff_0000 +--------------------------------+ LAYOUT_GICD_BASE
 *               | GIC distributor, 64 KiB        |
 *   0x4000_0000 +--------------------------------+
 *               | unmapped                       |
 *   0x8000_0000 +--------------------------------+ LAYOUT_RAM_BASE
 *               | RAM (-m MiB)                   |
 *               |  +0x80000 (text_offset): kernel|
 *               |  ...                           |
 *               |  initrd (below the DTB)        |
 *               |  DTB (last 2 MiB-aligned block)|
 *               +--------------------------------+ RAM end
 */

#define LAYOUT_UART_BASE	0x01000000ULL
#define LAYOUT_UART_SIZE	0x1000ULL

#define LAYOUT_EXIT_BASE	0x01001000ULL
#define LAYOUT_EXIT_SIZE	0x1000ULL

#define LAYOUT_MMIO_BASE	0x01002000ULL
#define LAYOUT_MMIO_END		0x08000000ULL

#define LAYOUT_GICD_BASE	0x3fff0000ULL
#define LAYOUT_GICD_SIZE	0x10000ULL
#define LAYOUT_GICC_BASE	0x3ffd0000ULL
#define LAYOUT_GICC_SIZE	0x20000ULL
#define LAYOUT_GICR_TOP		LAYOUT_GICC_BASE
#define LAYOUT_GICR_STRIDE	0x20000ULL	/* RD_base + SGI_base frames */

#define LAYOUT_RAM_BASE		0x80000000ULL

/* Where a file without an arm64 Image header is loaded, as kvmtool does. */
#define LAYOUT_RAW_OFFSET	0x80000ULL

/* DTB and initrd are placed below RAM base + this (booting.rst's 32 GiB window, with room to spare). */
#define LAYOUT_LOW_RAM_LIMIT	0x20000000ULL

/* The DTB occupies at most one 2 MiB block (Documentation/arch/arm64/booting.rst). */
#define LAYOUT_FDT_MAX_SIZE	0x200000ULL

/* vcpus the map leaves room for: redistributors must stay above LAYOUT_MMIO_END. */
#define LAYOUT_MAX_VCPUS	512U

/* SPIs handed to devices (the GIC's INTIDs 32..32+LAYOUT_NR_SPIS-1). */
#define LAYOUT_NR_SPIS		96U

#endif
