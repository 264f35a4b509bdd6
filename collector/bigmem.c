/*
 * bigmem: huge-page-aligned anonymous mappings (bigmem.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "podflow/errmsg.h"
#include "bigmem.h"

/* The huge page size of x86-64 and arm64 with 4 KiB pages. */
#define HUGE_PAGE ((size_t)2 << 20)

/* bytes rounded up to whole huge pages; 0 on overflow. */
static size_t mapped_size(size_t bytes)
{
	if (bytes == 0 || bytes > SIZE_MAX - HUGE_PAGE)
		return 0;
	return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *bigmem_alloc(size_t bytes)
{
	size_t len = mapped_size(bytes);
	uintptr_t start, at;
	char *p;

	if (len == 0 || len > SIZE_MAX - HUGE_PAGE) {
		errmsg_set("out of memory: %zu bytes", bytes);
		return NULL;
	}
	/* A huge page's worth more, then the unaligned ends given back. */
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		errmsg_set("out of memory: %zu bytes: %s", bytes,
			   strerror(errno));
		return NULL;
	}
	start = (uintptr_t)p;
	at = (start + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (at > start)
		munmap(p, at - start);
	if (start + HUGE_PAGE > at)
		munmap((char *)at + len, start + HUGE_PAGE - at);
	/* Not an error where the kernel has no transparent huge pages. */
	madvise((void *)at, len, MADV_HUGEPAGE);
	return (void *)at;
}

void bigmem_free(void *p, size_t bytes)
{
	if (p != NULL)
		munmap(p, mapped_size(bytes));
}
