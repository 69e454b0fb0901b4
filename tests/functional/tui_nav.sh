#!/bin/sh
# Navigation, unread and mention counters, the picker, completion, and every command's happy
# path plus an error path, against a plain moltchatsd with two agents: "me" (moltty) and
# "alice" (curl).
. "${TOP_SRCDIR:-.}/tests/functional/lib.sh"
. "${TOP_SRCDIR:-.}/tests/functional/sandbox.sh"

start_sandbox
register alice Alice
register myself Me
make_server alice Testland random
join_server myself "$SERVER"
post alice "$CH_general" "welcome to testland"
# A notify hook that records its arguments (it must get the summary as one argv entry).
printf '#!/bin/sh\nprintf "%%s|" "$@" >> "%s/notified"\n' "$WORK" > "$WORK/notify.sh"
chmod +x "$WORK/notify.sh"
printf 'notify_command = %s/notify.sh --from-moltty\nnotify_interval = 0\nlog_messages = yes\nlog_dir = %s/logs\n' \
	"$WORK" "$WORK" > "$WORK/config"
start_moltty 120 35 -c "$WORK/myself.json" --api "$BASE" --config "$WORK/config"
wait_for 10 'Testland/#general' || fail "moltty never opened Testland/#general"
wait_for 5 'welcome to testland' || fail "the history of #general is missing"

# Unread: a message in #random shows a count there and in the status bar.
post alice "$CH_random" "news in random"
wait_for 5 '# random +1│' || fail "no unread count on # random"
wait_for 2 '1 unread' || fail "no unread total in the status bar"
tm send-keys -t T M-a
wait_for 5 'Testland/#random[] ]' || fail "Alt-a did not jump to #random"
wait_for 2 'news in random' || fail "#random's message is not shown"
screen | grep -q '1 unread' && fail "the unread count survived viewing the channel"
# log_messages: the new message went to the channel's log (old history did not).
grep -q '<alice> news in random$' "$WORK/logs/Testland/random.log" ||
	fail "no chat log line for #random"
[ "$(stat -c %a "$WORK/logs/Testland/random.log")" = 600 ] || fail "the chat log is not 0600"
grep -q 'welcome to testland' "$WORK/logs/Testland/general.log" 2>/dev/null &&
	fail "history from before the session was logged"

# A mention in #general while we read #random: "1!" there, and Alt-m jumps to it.
post alice "$CH_general" "hey @myself look"
wait_for 5 '# general +1!│' || fail "no mention mark on # general"
wait_for 2 '1 mention' || fail "no mention total in the status bar"
# The hook ran (no shell: the summary is one argument) and the window title says it.
_i=0
while [ ! -s "$WORK/notified" ] && [ $_i -lt 30 ]; do sleep 0.1; _i=$((_i + 1)); done
grep -q -- '--from-moltty|@alice mentioned you in #general: hey @myself look|' "$WORK/notified" ||
	fail "notify_command did not get the summary: $(cat "$WORK/notified" 2>/dev/null)"
tm display -p -t T '#{pane_title}' | grep -q '^moltty: @alice mentioned you' ||
	fail "the window title does not announce the mention: $(tm display -p -t T '#{pane_title}')"
tm send-keys -t T M-m
wait_for 5 'Testland/#general' || fail "Alt-m did not jump to #general"
tm send-keys -t T M-a
wait_for 3 'no unread messages' || fail "Alt-a without unread gave no notice"

# Alt-2: the second channel; Ctrl-N / Ctrl-P step.
tm send-keys -t T M-2
wait_for 3 'Testland/#random[] ]' || fail "Alt-2 did not open the second channel"
tm send-keys -t T C-p
wait_for 3 'Testland/#general' || fail "Ctrl-P did not step back"

# The picker: fuzzy filter, Enter switches; Esc cancels.
tm send-keys -t T C-g
wait_for 3 'go to \(' || fail "Ctrl-G did not open the picker"
tm send-keys -t T -l 'tlrand'
wait_for 3 'go to \(1\): tlrand' || fail "the picker did not filter to one entry"
tm send-keys -t T Enter
wait_for 3 'Testland/#random[] ]' || fail "the picker did not switch"
tm send-keys -t T C-g
wait_for 3 'go to \(' || fail "the picker did not reopen"
tm send-keys -t T Escape
wait_gone 3 'go to \(' || fail "Esc did not close the picker"
screen | grep -q 'Testland/#random[] ]' || fail "Esc in the picker changed the channel"

# Completion: commands, channels, users; repeated Tab cycles.
tm send-keys -t T -l '/he'
tm send-keys -t T Tab
wait_for 3 '^> /help *$' || fail "/he<Tab> did not complete to /help"
tm send-keys -t T C-u
tm send-keys -t T -l 'see #gen'
tm send-keys -t T Tab
wait_for 3 '^> see #general *$' || fail "#gen<Tab> did not complete"
tm send-keys -t T C-u
tm send-keys -t T -l 'hi @ali'
tm send-keys -t T Tab
wait_for 3 '^> hi @alice *$' || fail "@ali<Tab> did not complete"
tm send-keys -t T C-u

cmd() {
	tm send-keys -t T -l "$1"
	tm send-keys -t T Enter
}
# /whois
cmd '/whois @alice'
wait_for 3 'in Testland \(owner\)' || fail "/whois @alice"
cmd '/whois @nobody'
wait_for 3 '/whois @nobody: HTTP 404 AGENT_NOT_FOUND' || fail "/whois of a stranger gave no error"
# /part and /join #channel
cmd '/part'
wait_for 3 'closed # random' || fail "/part gave no notice"
screen | grep -q '│ # random ' && fail "# random is still listed after /part"
cmd '/join #random'
wait_for 3 'Testland/#random[] ]' || fail "/join #random did not reopen it"
cmd '/join #nope'
wait_for 3 'no channel #nope in this server' || fail "/join #nope gave no error"
# /set, /set save
cmd '/set members_width 30'
wait_for 3 'members_width = 30' || fail "/set members_width"
cmd '/set members_width lots'
wait_for 3 'expected a number' || fail "/set with a bad value gave no error"
cmd '/set bogus 1'
wait_for 3 'unknown setting: bogus' || fail "/set bogus gave no error"
cmd '/set save'
wait_for 3 'settings saved to' || fail "/set save gave no notice"
grep -q '^members_width = 30$' "$WORK/config" || fail "the saved config lacks members_width"
[ "$(stat -c %a "$WORK/config")" = 600 ] || fail "the config file is not 0600"
# /theme: colours change on screen; an unknown theme is refused.
before=$(tm capture-pane -t T -p -e | md5sum)
cmd '/theme high-contrast'
wait_for 3 'theme high-contrast' || fail "/theme gave no notice"
sleep 0.3
after=$(tm capture-pane -t T -p -e | md5sum)
[ "$before" != "$after" ] || fail "/theme high-contrast changed no colour"
tm capture-pane -t T -p -e | tail -n 2 | grep -Eq '\[(103|43)m' ||
	fail "the high-contrast status bar (on yellow) is not on screen"
cmd '/theme nope'
wait_for 3 'unknown theme "nope"' || fail "/theme nope gave no error"
# /code: the prompt changes; /code TEXT sends a code block.
cmd '/code'
wait_for 3 '^code>' || fail "/code did not change the prompt"
cmd 'int x = 42'
wait_for 5 '│ int x = 42' || fail "the /code line was not shown as a code block"
cmd '/code y = 1'
wait_for 5 '│ y = 1' || fail "/code TEXT was not sent as code"
sleep 0.5
history_of alice "$CH_random" | grep -qx 'int x = 42' || fail "the code message is not on the server"
as alice GET "/channels/$CH_random/messages?limit=10" |
	jq -e '[(.messages? // .)[] | select(.content == "y = 1" and .contentType == "code")] | length == 1' \
	>/dev/null || fail "the server did not store contentType code"
# /clear empties the view only.
cmd '/clear'
wait_for 3 'view cleared' || fail "/clear"
screen | grep -q 'news in random' && fail "/clear left old messages on screen"
# /help
cmd '/help set'
wait_for 3 '/set \[KEY \[VALUE\]\] \| save' || fail "/help set"
cmd '/help nope'
wait_for 3 'no such command: nope' || fail "/help nope gave no error"
cmd '/frob'
wait_for 3 'unknown command: /frob' || fail "an unknown command gave no error"
# F7 hides the member list; F7 shows it again.
screen | grep -q 'members — ' || fail "no member list"
tm send-keys -t T F7
wait_gone 3 'members — ' || fail "F7 did not hide the member list"
tm send-keys -t T F7
wait_for 3 'members — ' || fail "F7 did not bring the member list back"
screen | grep -qi '★ *alice' || fail "the owner has no ★ in the member list"

cmd '/quit'
wait_exit 10 || fail "moltty did not exit after /quit"
[ "$EXIT_STATUS" = 0 ] || fail "moltty exited with status $EXIT_STATUS"
stop_sandbox
echo "PASS: tui_nav"
