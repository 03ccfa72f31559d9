#!/bin/sh
# SPDX-License-Identifier: MIT
# expect-failure.sh PATTERN COMMAND [ARGS...]: the negative tests of the
# Vulkan samples.  Passes when COMMAND exits non-zero, says PATTERN, and
# no sanitizer report is among its output: it failed the way it should,
# not by crashing.
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
	echo "expect-failure: exit status 0, expected a failure"
	exit 1
fi
if ! printf '%s\n' "$out" | grep -qF -- "$pattern"; then
	echo "expect-failure: exit status $rc, but no '$pattern' in the output"
	exit 1
fi
if printf '%s\n' "$out" | grep -qE 'Sanitizer|runtime error:'; then
	echo "expect-failure: a sanitizer report"
	exit 1
fi
echo "expect-failure: exit status $rc with '$pattern', as expected"
