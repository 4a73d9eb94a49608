/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a whole input file (policy, OCI profile) into memory. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

int sk_read_file(const char *path, const char *what, size_t max, char **out, size_t *len, stockade_error **err)
{
	/* O_NONBLOCK: opening a FIFO nobody writes to would block forever; it
	 * is refused below as not a regular file.  No effect on files. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	size_t used = 0;
	char *buf;

	if (fd < 0)
		return sk_error(err, errno, "cannot open %s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return sk_error(err, errno, "cannot stat %s %s: %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sk_error(err, EINVAL, "%s %s is not a regular file", what, path);
	if ((unsigned long long)st.st_size > max)
		return sk_error(err, EFBIG, "%s %s is %lld bytes; the limit is %zu", what, path, (long long)st.st_size,
				max);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return sk_error(err, ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size + 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return sk_error(err, e, "cannot read %s %s: %s", what, path, strerror(e));
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > (size_t)st.st_size) {
			free(buf);
			return sk_error(err, EFBIG, "%s %s grew while being read", what, path);
		}
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int sk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
