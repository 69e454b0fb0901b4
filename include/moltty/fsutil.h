/* fsutil: files and paths. */
#ifndef MOLTTY_FSUTIL_H
#define MOLTTY_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (NUL-terminated). NULL on error with errno set. *len may be NULL. */
char *fs_read_file(const char *path, size_t *len);
/* Atomically replace path: temp file in the same directory created with `mode`, write, fsync,
 * rename, fsync the directory. Returns 0, or -1 with errno set (the old file is untouched). */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Like fs_write_atomic but fails with EEXIST when path exists (link(2)-based, race-free). */
int fs_write_new(const char *path, const void *data, size_t len, mode_t mode);
/* mkdir -p with mode for each created component. 0 or -1. */
int fs_mkdir_p(const char *path, mode_t mode);
/* $XDG_{CONFIG,STATE,DATA}_HOME or their defaults under $HOME, joined with sub. Caller frees. */
char *fs_xdg_config(const char *sub);
char *fs_xdg_state(const char *sub);
char *fs_xdg_data(const char *sub);
/* Expand a leading "~/". Caller frees. */
char *fs_expand_home(const char *path);
/* Join two path components with one '/'. Caller frees. */
char *fs_join(const char *a, const char *b);
/* A file-name-safe version of untrusted text: [A-Za-z0-9._-] kept, everything else '_',
 * no leading '.', never empty, at most 64 bytes. Caller frees. */
char *fs_safe_name(const char *s);
/* 1 when the file's mode grants any permission to group or others. */
int fs_is_group_or_world_accessible(const char *path);

#endif
