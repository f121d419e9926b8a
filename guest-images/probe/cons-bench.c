/* cons-bench.c: how fast the guest can push bytes out through a console tty, as a "BENCH: console.NAME_kBps VALUE" line. */
/*
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o cons-bench cons-bench.c
 * usage: cons-bench NAME TTY PREFIX [SECONDS]     e.g. cons-bench serial /dev/ttyS0 SER: 2
 *
 * Puts TTY in raw mode (no \n -> \r\n), writes 64-byte lines "PREFIX<filler>\n" in 1 KiB write()s for SECONDS
 * (default 2), then tcdrain()s: the time includes getting every byte out of the guest. The host side can drop
 * the payload by its PREFIX and count it. Then:
 *   BENCH: console.NAME_kBps V     kB (10^3 bytes) per second, write start to drain end
 *   CONS-BENCH: NAME bytes=N       the payload's size, for the host to check it got all of it
 * Exit status: 0, or 1 if TTY cannot be opened or written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LINE 64
#define CHUNK 1024

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct termios saved, raw;
	char chunk[CHUNK];
	int64_t t, limit;
	uint64_t bytes = 0;
	size_t plen;
	int fd, have_tio;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: cons-bench NAME TTY PREFIX [SECONDS]\n");
		return 2;
	}
	limit = (int64_t)((argc > 4 ? atof(argv[4]) : 2.0) * 1e9);
	plen = strlen(argv[3]);
	if (plen > LINE - 2) {
		fprintf(stderr, "cons-bench: PREFIX too long\n");
		return 2;
	}
	for (int l = 0; l < CHUNK / LINE; l++) {
		char *p = chunk + l * LINE;

		memcpy(p, argv[3], plen);
		for (size_t i = plen; i < LINE - 1; i++)
			p[i] = (char)('a' + (i + (size_t)l) % 26);
		p[LINE - 1] = '\n';
	}
	fd = open(argv[2], O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		printf("CONS-BENCH: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	have_tio = tcgetattr(fd, &saved) == 0;
	if (have_tio) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(fd, TCSANOW, &raw);
	}
	t = now_ns();
	do {
		ssize_t n = write(fd, chunk, CHUNK);

		if (n != CHUNK) {
			printf("CONS-BENCH: write %s: %s\n", argv[2], n < 0 ? strerror(errno) : "short");
			return 1;
		}
		bytes += CHUNK;
	} while (now_ns() - t < limit);
	tcdrain(fd);
	t = now_ns() - t;
	if (have_tio)
		tcsetattr(fd, TCSANOW, &saved);
	close(fd);
	printf("BENCH: console.%s_kBps %.1f\n", argv[1], (double)bytes * 1e6 / (double)t);
	printf("CONS-BENCH: %s bytes=%llu\n", argv[1], (unsigned long long)bytes);
	return 0;
}
