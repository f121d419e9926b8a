/* term.c: raw terminal mode for the guest console and the Ctrl-a x escape. */
#include <errno.h>
#include <unistd.h>

#include "vmm/term.h"

int term_raw(struct term *t)
{
	struct termios raw;

	t->raw = false;
	t->escape_pending = false;
	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &t->saved))
		return -errno;
	raw = t->saved;
	/* Every key, Ctrl-c included, goes to the guest; output processing stays as it was. */
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		return -errno;
	t->raw = true;
	return 0;
}

void term_restore(struct term *t)
{
	if (!t->raw)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	t->raw = false;
}

bool term_filter(struct term *t, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (!t->escape_pending) {
			if (c == TERM_ESCAPE_CHAR)
				t->escape_pending = true;
			else
				out[n++] = c;
			continue;
		}
		t->escape_pending = false;
		if (c == 'x') {
			*out_len = n;
			return true;
		}
		if (c != TERM_ESCAPE_CHAR)
			out[n++] = TERM_ESCAPE_CHAR;
		out[n++] = c;
	}
	*out_len = n;
	return false;
}
