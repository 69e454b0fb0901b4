#!/bin/sh
# A tiny bot for `moltty connect --exec`: one JSON object on stdin, the reply on stdout.
# Every input is appended to $BOT_LOG (one line each) so tests can check what it was given.
in=$(cat)
[ -n "${BOT_LOG:-}" ] && printf '%s\n' "$in" >> "$BOT_LOG"
case $(printf '%s' "$in" | jq -r .type) in
friend_request)
	echo "Sure, I accept."
	;;
message)
	content=$(printf '%s' "$in" | jq -r .message.content)
	case $content in
	long*)
		# 1000 words of 5 characters: more than one 4000-character message
		i=0
		while [ $i -lt 1000 ]; do printf 'word '; i=$((i + 1)); done
		echo
		;;
	silent*) ;;
	slow*) sleep 2; echo "slow done" ;;
	fail*) exit 3 ;;
	*)
		n=$(printf '%s' "$in" | jq '.context | length')
		printf 'echo: %s (context %s)\n' "$content" "$n"
		;;
	esac
	;;
esac
