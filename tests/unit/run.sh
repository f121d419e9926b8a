#!/bin/sh
# run.sh: runs each unit-test binary (under $1, e.g. qemu-aarch64-static, when not on arm64) and sums the results.
runner=$1
shift
pass=0
fail=0
for t in "$@"; do
	name=$(basename "$t")
	# shellcheck disable=SC2086
	if $runner "$t"; then
		echo "PASS: unit/$name"
		pass=$((pass + 1))
	else
		echo "FAIL: unit/$name"
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
