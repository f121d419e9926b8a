#!/bin/sh
# check-install.sh [BUILD]: `make install` with PREFIX and DESTDIR puts lkvm and its man page where they belong.
set -u
build=${1:-build}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install BUILD="$build" PREFIX=/opt/lkvm DESTDIR="$dest" >"$dest.log" 2>&1 || { echo "FAIL: unit/check-install: make install failed:"; cat "$dest.log"; exit 1; }
rm -f "$dest.log"
bin=$dest/opt/lkvm/bin/lkvm
man=$dest/opt/lkvm/share/man/man1/lkvm.1
bad=
[ -x "$bin" ] || bad="$bad; no executable $bin"
cmp -s "$bin" "$build/lkvm" || bad="$bad; installed lkvm differs from $build/lkvm"
cmp -s "$man" docs/lkvm.1 || bad="$bad; no man page at $man"
[ -z "$(find "$dest" -type f ! -path "$bin" ! -path "$man")" ] || bad="$bad; stray files: $(find "$dest" -type f)"
if [ -n "$bad" ]; then
	echo "FAIL: unit/check-install${bad}"
	exit 1
fi
echo "PASS: unit/check-install (bin/lkvm, share/man/man1/lkvm.1 under PREFIX, in DESTDIR)"
