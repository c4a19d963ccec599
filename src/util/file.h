/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a configuration or phonebook file someone else may have named:
 * only a regular file, never more than a limit, and without blocking (a
 * FIFO, /dev/zero or a directory given as TAPIX_CONF must not hang or
 * exhaust the process).
 */
#ifndef TAPIX_UTIL_FILE_H
#define TAPIX_UTIL_FILE_H

#include <stddef.h>

/* The allocator the caller's layer counts with (mem_alloc, malloc...). */
typedef void *file_alloc_fn(size_t size);
typedef void file_free_fn(void *ptr);

/*
 * Reads the regular file @path whole into *@out (from @alloc, to free
 * with the matching function; NUL-terminated, its length in *@len). The
 * file is opened without blocking and checked with fstat before a byte
 * is read. @return 0, -ENOENT (missing), -EACCES, -EINVAL (not a regular
 * file: a directory, FIFO, device, socket), -EFBIG (more than @max
 * bytes), -ENOMEM, or another -errno of open/read. On error *@out and
 * *@len are not written.
 */
int file_read(const char *path, size_t max, file_alloc_fn *alloc,
              file_free_fn *dealloc, char **out, size_t *len);

/* A short text for file_read's error @e ("not a regular file"...). */
const char *file_error(int e);

#endif /* TAPIX_UTIL_FILE_H */
