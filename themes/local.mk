# themes: installed under $(pkgdatadir)/themes; each NAME.theme mirrors a built-in theme
# (tests/unit/test_tui_theme.c compares them); template.theme documents every role.
dist_themes_DATA += themes/default.theme themes/light.theme themes/high-contrast.theme \
	themes/mono.theme themes/template.theme
