/* term.h: the controlling terminal in raw mode while a VM runs, and the Ctrl-a escape filter. */
#ifndef LKVM_TERM_H
#define LKVM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define TERM_ESCAPE_CHAR 0x01	/* Ctrl-a, as kvmtool and QEMU */

struct term {
	bool raw;		/* stdin is a tty now in raw mode */
	struct termios saved;
	bool escape_pending;	/* the last input byte was Ctrl-a */
};

/* Puts stdin in raw mode if it is a terminal; term_restore() undoes it (idempotent). */
int term_raw(struct term *t);
void term_restore(struct term *t);

/*
 * Filters input bytes for the guest: Ctrl-a x asks to quit (returns true and
 * stops), Ctrl-a Ctrl-a sends one Ctrl-a, Ctrl-a followed by anything else
 * sends both.  out must hold 2 * len bytes; *out_len gets the count.
 */
bool term_filter(struct term *t, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len);

#endif
