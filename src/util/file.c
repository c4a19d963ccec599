/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reading of a regular file (file.h). */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read(const char *path, size_t max, file_alloc_fn *alloc,
              file_free_fn *dealloc, char **out, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *buf;
	int fd, e = 0;

	/* O_NONBLOCK: a FIFO opens at once (to be refused below) */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = alloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	/* the size may change meanwhile: never past what was allocated,
	 * and a file that grew past it is too big */
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st.st_size) {
			e = -EFBIG;
			break;
		}
	}
	close(fd);
	if (e) {
		dealloc(buf);
		return e;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

const char *file_error(int e)
{
	switch (e) {
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "too big";
	default:
		return strerror(-e);
	}
}
