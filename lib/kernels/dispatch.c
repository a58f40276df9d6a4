#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

int hogfeat__kernels_available(const hogfeat__kernels **out_tables, int capacity)
{
    int n = 0;
    if (n < capacity)
        out_tables[n++] = &hogfeat__kernels_scalar;
#if defined(HOGFEAT_HAVE_SSE2) || defined(HOGFEAT_HAVE_AVX2)
    __builtin_cpu_init();
#endif
#if defined(HOGFEAT_HAVE_SSE2)
    if (n < capacity && __builtin_cpu_supports("sse2"))
        out_tables[n++] = &hogfeat__kernels_sse2;
#endif
#if defined(HOGFEAT_HAVE_AVX2)
    /* libgcc's check includes the OS saving the YMM registers (XGETBV). */
    if (n < capacity && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        out_tables[n++] = &hogfeat__kernels_avx2;
#endif
#if defined(HOGFEAT_HAVE_NEON)
    /* Advanced SIMD is part of the AArch64 baseline: no run-time check. */
    if (n < capacity)
        out_tables[n++] = &hogfeat__kernels_neon;
#endif
    return n;
}

/* Written once under pthread_once, read-only afterwards: the one piece of
 * process-wide state, and it only caches what the CPU can do. */
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
static const hogfeat__kernels *chosen;

static void choose(void)
{
    const hogfeat__kernels *tables[4];
    int n = hogfeat__kernels_available(tables, 4);
    chosen = tables[n - 1];
    /* HOGFEAT_SIMD=scalar|sse2|avx2|neon forces a table (for tests and
     * comparisons); a name this CPU or build lacks is ignored. */
    const char *want = getenv("HOGFEAT_SIMD");
    if (want && *want) {
        for (int i = 0; i < n; i++)
            if (strcmp(tables[i]->name, want) == 0)
                chosen = tables[i];
    }
}

const hogfeat__kernels *hogfeat__kernels_get(void)
{
    pthread_once(&choose_once, choose);
    return chosen;
}
