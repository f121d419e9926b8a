#!/bin/sh
# run.sh BUILD [NAME...]: runs the nested boot tests tests/boot/t_*.sh (or the NAMEd ones) and ends with "boot: N passed, N failed".
#
# Test t_foo_bar.sh is named foo-bar; its log is BUILD/logs/foo-bar.log. See lib.sh for BOOT_MODE and BOOT_TIMEOUT.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PROG=boot
. "$TOP/tests/boot/lib.sh"
boot_init "${1:-}"
shift

pass=0 failed=0 skipped=0
for t in "$TOP"/tests/boot/t_*.sh; do
	name=$(basename "$t" .sh | sed 's/^t_//; s/_/-/g')
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	start=$(date +%s)
	(
		test_begin "$name"
		# shellcheck disable=SC1090
		. "$t"
		test_result
	)
	case $? in
	0) pass=$((pass + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	say "$name took $(($(date +%s) - start))s"
done
[ "$skipped" -gt 0 ] && skip_note=", $skipped skipped" || skip_note=
echo "boot: $pass passed, $failed failed$skip_note"
[ "$failed" -eq 0 ]
