#include <stdlib.h>

#include "private.h"

#ifdef HOGFEAT_TESTING
#include <stdatomic.h>

/* Process-wide on purpose: worker threads of a batch call must be counted too.
 * Compiled only into the test copy of the library. */
static atomic_long fail_at;         /* 0: off; else the allocation number that fails */
static atomic_int fail_persistent;
static atomic_size_t alloc_count;   /* attempts since the last reset */
static atomic_size_t alloc_failures;

void hogfeat__test_alloc_reset(void)
{
    atomic_store(&fail_at, 0);
    atomic_store(&fail_persistent, 0);
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_failures, 0);
}

void hogfeat__test_alloc_fail_at(long nth, int persistent)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_failures, 0);
    atomic_store(&fail_persistent, persistent);
    atomic_store(&fail_at, nth);
}

size_t hogfeat__test_alloc_count(void)
{
    return atomic_load(&alloc_count);
}

size_t hogfeat__test_alloc_failures(void)
{
    return atomic_load(&alloc_failures);
}

static int should_fail(void)
{
    size_t n = atomic_fetch_add(&alloc_count, 1) + 1;
    long at = atomic_load(&fail_at);
    if (at <= 0)
        return 0;
    if ((size_t)at == n || (atomic_load(&fail_persistent) && n > (size_t)at)) {
        atomic_fetch_add(&alloc_failures, 1);
        return 1;
    }
    return 0;
}
#else
static inline int should_fail(void)
{
    return 0;
}
#endif

void *hogfeat__malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *hogfeat__calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    if (count == 0 || size == 0)
        count = size = 1;
    return calloc(count, size);
}

void hogfeat__free(void *ptr)
{
    free(ptr);
}
