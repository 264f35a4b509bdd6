/*
 * promtext: the Prometheus text exposition format, version 0.0.4, in a
 * file replaced atomically (promtext.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podflow/errmsg.h"
#include "podflow/promtext.h"

int promtext_write(const char *path, const struct promtext_metric *m,
		   size_t n)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 8);
	FILE *f = NULL;
	int fd = -1, rc = -1;
	struct stat sb;

	if (tmp == NULL) {
		errmsg_set("out of memory");
		return -1;
	}
	/* rename() would replace a device or a directory entry of another kind. */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		errmsg_set("metrics file %s: not a regular file", path);
		free(tmp);
		return -1;
	}
	/* Same directory, so that rename() is atomic. */
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	/* node_exporter runs as another user: the file is world-readable. */
	if (fchmod(fileno(f), 0644) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", m[i].name,
			m[i].help, m[i].name, m[i].type, m[i].name, m[i].value);
	if (fflush(f) != 0 || ferror(f))
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	errmsg_set("metrics file %s: %s", path, strerror(errno));
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return rc;
}
