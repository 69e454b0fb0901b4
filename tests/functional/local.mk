# functional tests: the real moltty binary in tmux against a real moltchatsd
TESTS += tests/functional/demo.sh tests/functional/demo_sigint.sh tests/functional/hostile.sh
EXTRA_DIST += tests/functional/lib.sh tests/functional/demo.sh tests/functional/demo_sigint.sh \
	tests/functional/hostile.sh
