#!/bin/sh
# The CI examples in docs/ci.md work: tests/tools/ci-examples.py parses both YAML blocks
# (python3-yaml) and checks them (debian:bookworm, a kernel matrix, the JUnit report and the
# console kept after a failure); then the commands the jobs contain run here, for each kernel
# of the matrix, in a copy of the repository (its tracked and new files, with the kernels
# already fetched into build/), GitHub's steps each in its own `bash -e` shell, GitLab's
# script in one. Each run must pass and leave the files the jobs publish; the JUnit report
# must parse (python3-junitparser) with one passing test.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3 # Debian's, where python3-yaml and python3-junitparser live
"$PY" -c 'import yaml, junitparser' 2>/dev/null ||
	t_skip "python3-yaml or python3-junitparser is not installed (scripts/deps.sh test)"
need_kernel
need_kernel amd64

mkdir -p "$T_DIR/jobs"
"$PY" "$SOFTOFF_TOP/tests/tools/ci-examples.py" "$SOFTOFF_TOP/docs/ci.md" "$T_DIR/jobs" >"$T_DIR/checks" ||
	{ cat "$T_DIR/checks"; t_abort "docs/ci.md: the CI examples do not read as documented"; }
cat "$T_DIR/checks"

# the repository as a CI checkout sees it, plus the kernels a cache would hold
repo=$T_DIR/repo
mkdir -p "$repo/build"
(cd "$SOFTOFF_TOP" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --) |
	tar -xf - -C "$repo" || t_abort "copy the repository to $repo"
ln -s "$SOFTOFF_BUILD/kernel" "$repo/build/kernel"
ln -s "$SOFTOFF_BUILD/kernel-amd64" "$repo/build/kernel-amd64"

# published KERNEL: each artifact glob matches a file for it, the report has one passing test
check_published() { # ci kernel
	while IFS= read -r glob; do
		# shellcheck disable=SC2086 # the glob is meant to expand
		t_that "$1 $2: '$glob' matches a file" "ls $repo/$glob >/dev/null 2>&1"
	done <"$T_DIR/jobs/artifacts"
	cp_report=$repo/results/boot-$2.xml
	t_that "$1 $2: the JUnit report reads as one passing test" \
		"'$PY' -c 'import sys; from junitparser import JUnitXml; x = JUnitXml.fromfile(sys.argv[1]); assert (x.tests, x.failures, x.errors) == (1, 0, 0), (x.tests, x.failures)' '$cp_report'"
	t_that "$1 $2: the console log shows the agent's power-off" \
		"grep -q 'softoff-agent: writing 0x31' '$repo/results/console-$2.log'"
}

while IFS= read -r kernel; do
	rm -rf "$repo/results"
	ok=1
	for step in "$T_DIR"/jobs/github.*.sh; do
		(cd "$repo" && KERNEL_FLAVOUR=$kernel bash --noprofile --norc -eo pipefail "$step") \
			>"$T_DIR/github.$kernel.log" 2>&1 || { ok=0; break; }
	done
	tail -n 3 "$T_DIR/github.$kernel.log" | sed 's/^/    /'
	t_that "github $kernel: every run step passed" '[ $ok = 1 ]'
	check_published github "$kernel"

	rm -rf "$repo/results"
	(cd "$repo" && KERNEL_FLAVOUR=$kernel bash --noprofile --norc -e "$T_DIR/jobs/gitlab.sh") \
		>"$T_DIR/gitlab.$kernel.log" 2>&1
	rc=$?
	tail -n 3 "$T_DIR/gitlab.$kernel.log" | sed 's/^/    /'
	t_that "gitlab $kernel: the script passed (got $rc)" '[ $rc = 0 ]'
	check_published gitlab "$kernel"
done <"$T_DIR/jobs/kernels"
t_done
