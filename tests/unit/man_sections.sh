#!/bin/sh
# docs/moltty.1's COMMANDS and CONFIGURATION sections are exactly what the command table and
# the settings table generate (moltty --list-commands-roff / --list-config-roff): a command
# or setting added without updating the man page fails here. To update the page, replace the
# section bodies with the programs' output.
: "${MOLTTY:?}" "${TOP_SRCDIR:?}"
MAN="$TOP_SRCDIR/docs/moltty.1"
status=0
section() {
	# The lines after ".SH $1" up to the next .SH.
	awk -v name="$1" '$0 == ".SH " name { on = 1; next } /^\.SH / { on = 0 } on' "$MAN"
}
check() {
	want=$("$MOLTTY" "$2") || { echo "FAIL: moltty $2"; status=1; return; }
	got=$(section "$1")
	if [ "$want" != "$got" ]; then
		echo "FAIL: the $1 section of docs/moltty.1 differs from moltty $2:"
		printf '%s\n' "$want" > man_want.tmp
		printf '%s\n' "$got" > man_got.tmp
		diff -u man_got.tmp man_want.tmp
		rm -f man_want.tmp man_got.tmp
		status=1
	fi
}
check COMMANDS --list-commands-roff
check CONFIGURATION --list-config-roff
[ $status = 0 ] && echo "PASS: man page sections match the tables"
exit $status
