#include <pthread.h>
#include <unistd.h>

#include "private.h"

#define HOGFEAT__MAX_THREADS 256

int hogfeat__thread_count(int32_t num_threads, size_t tasks)
{
    long n = num_threads;
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1)
            n = 1;
    }
    if (n > HOGFEAT__MAX_THREADS)
        n = HOGFEAT__MAX_THREADS;
    if ((size_t)n > tasks)
        n = tasks > 0 ? (long)tasks : 1;
    return (int)n;
}

typedef struct pf_shared {
    hogfeat__task_fn fn;
    void *ctx;
    size_t num_tasks;
    atomic_size_t next;
    atomic_int status; /* first failure, or HOGFEAT_OK */
} pf_shared;

typedef struct pf_worker {
    pf_shared *shared;
    int index;
} pf_worker;

static void run_tasks(pf_shared *sh, int worker)
{
    for (;;) {
        if (atomic_load_explicit(&sh->status, memory_order_relaxed) != HOGFEAT_OK)
            return;
        size_t task = atomic_fetch_add(&sh->next, 1);
        if (task >= sh->num_tasks)
            return;
        hogfeat_status st = sh->fn(sh->ctx, task, worker);
        if (st != HOGFEAT_OK) {
            int expected = HOGFEAT_OK;
            atomic_compare_exchange_strong(&sh->status, &expected, (int)st);
        }
    }
}

static void *worker_main(void *arg)
{
    pf_worker *w = arg;
    run_tasks(w->shared, w->index);
    return NULL;
}

hogfeat_status hogfeat__parallel_for(int num_threads, size_t num_tasks, hogfeat__task_fn fn, void *ctx)
{
    pf_shared sh;
    sh.fn = fn;
    sh.ctx = ctx;
    sh.num_tasks = num_tasks;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.status, HOGFEAT_OK);
    if (num_threads > HOGFEAT__MAX_THREADS)
        num_threads = HOGFEAT__MAX_THREADS;

    pthread_t threads[HOGFEAT__MAX_THREADS];
    pf_worker workers[HOGFEAT__MAX_THREADS];
    int started = 0;
    for (int i = 1; i < num_threads; i++) {
        workers[i].shared = &sh;
        workers[i].index = i;
        if (pthread_create(&threads[started + 1], NULL, worker_main, &workers[i]) != 0)
            break; /* the threads already running, and this one, share the rest */
        started++;
    }
    run_tasks(&sh, 0);
    for (int i = 1; i <= started; i++)
        pthread_join(threads[i], NULL);
    /* A thread that failed to start leaves its tasks claimed by no one only if
     * every runner returned early on a failure, so all tasks ran unless one failed. */
    return (hogfeat_status)atomic_load(&sh.status);
}
