# crypto module: files appended to the link sets in Makefile.am
