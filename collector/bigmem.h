/*
 * bigmem: memory for the collector's large tables (the live connections,
 * the pending edges), mapped apart and backed by huge pages where the
 * kernel allows it.
 *
 * Those tables are tens of MiB read at random, once per event: with 4 KiB
 * pages, nearly every lookup also misses the TLB, and under a hypervisor
 * a TLB miss walks two page tables.  Transparent huge pages (Debian's
 * default is "madvise": only for memory that asks) take that away.  The
 * mapping is zero-filled and touched only as it is used, so that memory
 * still follows use, by 2 MiB.
 */
#ifndef PODFLOW_BIGMEM_H
#define PODFLOW_BIGMEM_H

#include <stddef.h>

/*
 * bytes of zeroed memory, aligned to a huge page, owned by the caller
 * (bigmem_free() it with the same size).  NULL with errmsg on failure.
 */
void *bigmem_alloc(size_t bytes);

/* NULL is a no-op. */
void bigmem_free(void *p, size_t bytes);

#endif
