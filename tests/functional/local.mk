# functional tests: the real moltty binary in tmux against a real moltchatsd
TESTS += tests/functional/demo.sh tests/functional/demo_sigint.sh tests/functional/hostile.sh \
	tests/functional/tui_nav.sh tests/functional/tui_history.sh \
	tests/functional/tui_observer_wrap.sh
EXTRA_DIST += tests/functional/lib.sh tests/functional/sandbox.sh tests/functional/demo.sh \
	tests/functional/demo_sigint.sh tests/functional/hostile.sh tests/functional/tui_nav.sh \
	tests/functional/tui_history.sh tests/functional/tui_observer_wrap.sh
