/*
 * Fuzzes podflowd's configuration file: the input is the file, read by
 * config_load() through a memory file of its own, then checked.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char path[64];
	int fd = memfd_create("podflowd.yaml", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		config_init(&cfg);
		if (config_load(path, 0, &cfg) == 0)
			config_validate(&cfg);
		config_free(&cfg);
	}
	close(fd);
	return 0;
}
