# themes: installed under $(pkgdatadir)/themes; default.theme mirrors the built-in theme
dist_themes_DATA += themes/default.theme
