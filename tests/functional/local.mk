# functional tests: the real moltty binary in tmux against a real moltchatsd
FUNCTIONAL_TESTS = tests/functional/demo.sh tests/functional/demo_sigint.sh \
	tests/functional/hostile.sh tests/functional/tui_nav.sh tests/functional/tui_history.sh \
	tests/functional/tui_observer_wrap.sh tests/functional/tui_cmd_social.sh \
	tests/functional/tui_cmd_servers.sh tests/functional/tui_identities.sh \
	tests/functional/tui_ratelimit.sh
TESTS += $(FUNCTIONAL_TESTS)
EXTRA_DIST += tests/functional/lib.sh tests/functional/sandbox.sh $(FUNCTIONAL_TESTS)

# the protocol inspector (inspector helper)
FUNCTIONAL_TESTS += tests/functional/tui_inspect.sh
