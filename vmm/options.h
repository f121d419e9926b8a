/* options.h: parsing of `lkvm run` options into struct vm_config (pure: no I/O besides the help text). */
#ifndef LKVM_OPTIONS_H
#define LKVM_OPTIONS_H

#include <stdio.h>

#include "vmm/config.h"
#include "vmm/err.h"

enum options_result { OPTIONS_RUN, OPTIONS_HELP };

/*
 * Parses argv[0..argc) (the words after "run").  Fills *cfg from defaults
 * then options.  Returns OPTIONS_RUN, OPTIONS_HELP for -h/--help, or -errno
 * with a one-line message naming the bad option or value.  The strings in
 * *cfg point into argv.
 */
int options_parse_run(int argc, char *const argv[], struct vm_config *cfg, struct err *e);

/* The `lkvm run --help` text, generated from the same table the parser uses. */
void options_print_run_help(FILE *out);

#endif
