#!/bin/sh
# The man pages (docs/man/, roff sources kept by hand) render without a warning, and cannot
# drift from the programs silently: each page's options are the options its program's
# --help lists, and softoff-agent.conf(5) documents exactly the keys the config parser takes.
. "$(dirname "$0")/../lib.sh"
command -v man >/dev/null || t_skip "man-db missing (scripts/deps.sh deb)"
need_agent
need_harness
man_dir=$SOFTOFF_TOP/docs/man

for page in softoff-agent.8 softoff-agent.conf.5 softoff-qemu.1; do
	MANWIDTH=80 MANPAGER=cat man --warnings -l "$man_dir/$page" >"$T_DIR/out" 2>"$T_DIR/err"
	rc=$?
	sed 's/^/    man: /' "$T_DIR/err"
	t_that "man --warnings -l $page renders (status $rc) without a warning" \
		'[ $rc = 0 ] && [ ! -s "$T_DIR/err" ] && [ -s "$T_DIR/out" ]'
done

# The long options in a text, sorted, one a line.
options_of() { grep -oE -- '--[a-z][a-z-]*' | sort -u; }
# The roff source of SECTION (a .SH heading) of PAGE, as text: \- becomes -.
man_section() { # page heading
	awk -v h="$2" '/^\.SH / { s = $0; sub(/^\.SH "?/, "", s); sub(/"$/, "", s); on = (s == h); next } on' \
		"$man_dir/$1" | sed 's/\\-/-/g'
}
same_options() { # description help-text-file man-text-file
	options_of <"$2" >"$T_DIR/help.opts"
	options_of <"$3" >"$T_DIR/man.opts"
	if [ -s "$T_DIR/help.opts" ] && cmp -s "$T_DIR/help.opts" "$T_DIR/man.opts"; then
		t_ok "$1: $(tr '\n' ' ' <"$T_DIR/help.opts")"
	else
		t_fail "$1 (< --help, > man page):"
		diff "$T_DIR/help.opts" "$T_DIR/man.opts" | grep '^[<>]' | sed 's/^/    /'
	fi
}

"$T_AGENT" --help >"$T_DIR/h.agent"
man_section softoff-agent.8 OPTIONS >"$T_DIR/m.agent"
same_options "softoff-agent(8) OPTIONS = softoff-agent --help" "$T_DIR/h.agent" "$T_DIR/m.agent"
# (the command list's synopses belong to the commands' own sections)
"$T_HARNESS" --help | grep -vE '^  (boot|run|qmp) ' >"$T_DIR/h.qemu"
man_section softoff-qemu.1 OPTIONS >"$T_DIR/m.qemu"
same_options "softoff-qemu(1) OPTIONS = softoff-qemu --help" "$T_DIR/h.qemu" "$T_DIR/m.qemu"
for cmd in run boot qmp; do
	"$T_HARNESS" $cmd --help >"$T_DIR/h.$cmd"
	man_section softoff-qemu.1 "$(echo $cmd | tr a-z A-Z) OPTIONS" >"$T_DIR/m.$cmd"
	same_options "softoff-qemu(1) $(echo $cmd | tr a-z A-Z) OPTIONS = softoff-qemu $cmd --help" \
		"$T_DIR/h.$cmd" "$T_DIR/m.$cmd"
done

# Config keys: the .TP items of KEYS in the page; the key column of --help's config table
# (printed from the parser's own table); and each one accepted by the parser.
man_section softoff-agent.conf.5 KEYS | awk 'p && /^\.B / { print $2 } { p = /^\.TP/ }' | sort >"$T_DIR/man.keys"
sed -n '/^Config file/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' "$T_DIR/h.agent" | sort >"$T_DIR/help.keys"
if [ -s "$T_DIR/man.keys" ] && cmp -s "$T_DIR/man.keys" "$T_DIR/help.keys"; then
	t_ok "softoff-agent.conf(5) KEYS = the keys in --help: $(tr '\n' ' ' <"$T_DIR/man.keys")"
else
	t_fail "softoff-agent.conf(5) KEYS differ from --help (< man page, > --help):"
	diff "$T_DIR/man.keys" "$T_DIR/help.keys" | grep '^[<>]' | sed 's/^/    /'
fi
# The parser answers "unknown key" for a key it does not take (control), and something else
# (a bad value) for every documented key.
parser_knows() { # key
	printf '%s = \001\n' "$1" >"$T_DIR/probe.conf"
	! "$T_AGENT" --config "$T_DIR/probe.conf" --check-config 2>&1 | grep -q "unknown key"
}
t_that "control: the parser rejects an undocumented key" '! parser_knows no-such-key'
unknown=
for k in $(cat "$T_DIR/man.keys"); do parser_knows "$k" || unknown="$unknown $k"; done
t_that "the parser takes every key softoff-agent.conf(5) documents${unknown:+ (not:$unknown)}" '[ -z "$unknown" ]'
t_done
