#!/bin/sh
# check-manpage.sh: fails unless docs/lkvm.1 documents every option `lkvm run --help` lists and every command `lkvm help` lists.
#
#   sh tests/unit/check-manpage.sh [RUNNER] [LKVM] [MANPAGE]
#
# RUNNER runs the aarch64 binary ("" natively, qemu-aarch64-static elsewhere;
# default: chosen from uname -m).  LKVM defaults to build/lkvm, MANPAGE to
# docs/lkvm.1.  Prints PASS:/FAIL: lines like tests/unit/run.sh.
set -u

if [ $# -ge 1 ]; then
	runner=$1
elif [ "$(uname -m)" = aarch64 ]; then
	runner=
else
	runner=qemu-aarch64-static
fi
lkvm=${2:-build/lkvm}
man=${3:-docs/lkvm.1}
name=unit/check-manpage

fail() {
	echo "FAIL: $name: $*"
	exit 1
}

[ -x "$lkvm" ] || fail "no executable $lkvm (make first)"
[ -r "$man" ] || fail "cannot read $man"

# shellcheck disable=SC2086
help=$($runner "$lkvm" run --help) || fail "$lkvm run --help failed"
# shellcheck disable=SC2086
usage=$($runner "$lkvm" help) || fail "$lkvm help failed"

# The man page as plain words: font escapes dropped, \- and \(hy made '-', quotes gone.
text=$(sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\-/-/g' -e 's/\\(hy/-/g' \
	-e 's/\\&//g' -e 's/\\%//g' -e 's/"//g' "$man")
# The tag lines of the OPTIONS section: each option must have an entry of its own.
tags=$(printf '%s\n' "$text" | awk '/^\.SH/ { in_opts = ($2 == "OPTIONS") } in_opts && tp { print } { tp = in_opts && /^\.TP/ }')

# Each option line of the help starts with "-x, --name" or "    --name".
opts=$(printf '%s\n' "$help" | sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}--\([a-z0-9][a-z0-9-]*\).*/\2/p')
[ -n "$opts" ] || fail "no options found in '$lkvm run --help'"

missing=
for o in $opts; do
	# --name, not followed by more of a name (--pmu must not match only --pmu-irq).
	printf '%s\n' "$tags" | grep -Eq -- "--$o([^a-z0-9-]|\$)" || missing="$missing --$o"
	# The short form, if any, in the same entry: "-x, --name".
	short=$(printf '%s\n' "$help" | sed -n "s/^ *-\([A-Za-z0-9]\), --$o\([^a-z0-9-].*\)\{0,1\}\$/\1/p")
	if [ -n "$short" ]; then
		printf '%s\n' "$tags" | grep -Eq -- "(^|[^A-Za-z0-9-])-${short}[, ]+--$o([^a-z0-9-]|\$)" ||
			missing="$missing -$short(--$o)"
	fi
done

# Commands: the indented first words under "Commands:" in `lkvm help`.
cmds=$(printf '%s\n' "$usage" | sed -n '/^Commands:/,/^$/s/^    \([a-z][a-z0-9-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "no commands found in '$lkvm help'"
for c in $cmds; do
	printf '%s\n' "$text" | grep -Eq -- "lkvm $c([^a-z0-9-]|\$)" || missing="$missing 'lkvm $c'"
done

# The sections a man page must have.
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" FILES "SEE ALSO"; do
	printf '%s\n' "$text" | grep -Eq "^\.SH \"?$s\"?\$" || missing="$missing section:'$s'"
done

[ -z "$missing" ] || fail "$man lacks:$missing"

# Formatting warnings, where groff is installed.
if command -v groff >/dev/null 2>&1; then
	warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1) || fail "groff failed on $man: $warn"
	[ -z "$warn" ] || fail "groff warnings on $man: $warn"
fi

echo "PASS: $name ($(printf '%s\n' "$opts" | wc -l) options, $(printf '%s\n' "$cmds" | wc -l) commands)"
