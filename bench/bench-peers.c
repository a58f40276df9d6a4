/* bench-peers: libhogfeat against reference libraries, measured in one run.
 *
 * Peers (each optional at build time; a missing one prints "n/a"):
 *   OpenCV    cv::HOGDescriptor::compute and cv::ml::KNearest (through peer-opencv.cpp)
 *   VLFeat    vl_hog_put_image + vl_hog_extract, VlHogVariantDalalTriggs
 *   LIBLINEAR train() with -s 1 (L2-regularised L2-loss SVM, dual)
 *
 * Sections:
 *   1. HOG per image, 64x128 / 640x480 / 1920x1080, single-threaded: ns/pixel
 *      of each library and peer/ours ratios.
 *   2. libhogfeat alone: ns/pixel from 32x32 to 1920x1080, and the 1 -> 2
 *      thread speed-up of hogfeat_hog_compute_batch on 640x480 images.
 *   3. Digits: 6000 32x32 images, 4x4 cells (1764 floats): images/s.
 *   4. Linear SVM fit on 5000 x 1764 HOG features: libhogfeat vs LIBLINEAR.
 *   5. KNN (k = 3) prediction of 1000 queries against 5000 rows: libhogfeat
 *      vs OpenCV brute force.
 *
 * Method: contenders of one measurement run interleaved, one sample each per
 * round in a rotating order, so background load on a shared machine hits
 * them alike. A sample is one call, or a few consecutive calls when a call
 * is shorter than 0.5 ms; each is timed with the wall clock and with the
 * process CPU clock, and the medians per call are reported. The CPU time
 * leaves out the time other processes held the CPU, so on a busy machine it
 * is the fairer single-threaded measure; speed-ups use wall time.
 * Per-image benchmarks cycle through a pool of distinct images: timing one
 * image over and over lets the branch predictor learn its pixels.
 * All ratios are peer time / libhogfeat time, so > 1 means libhogfeat is faster.
 *
 * Data: CMATERdb (MNIST IDX) from $HOGFEAT_DATA_DIR, else the directory
 * meson configured (HOGFEAT_BENCH_DATA_DIR); without it, synthetic digits
 * and random features with 10 synthetic classes, and the output says so. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <hogfeat/hogfeat.h>

#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
#include <vl/generic.h>
#include <vl/hog.h>
#endif
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
#include <linear.h>
#endif
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
#include "peer-opencv.h"
#endif

#ifndef HOGFEAT_BENCH_BUILDTYPE
#define HOGFEAT_BENCH_BUILDTYPE "unknown"
#endif
#ifndef HOGFEAT_BENCH_DATA_DIR
#define HOGFEAT_BENCH_DATA_DIR ""
#endif

/* Warm-up of per-image contenders: at least this many calls and this long. */
#define WARMUP_CALLS 3
#define WARMUP_SECONDS 0.05
#define QUICK_REPS 3
/* Shortest timed sample; faster calls are grouped (see run_contest). */
#define MIN_SAMPLE_SECONDS 0.0005
#define MAX_REPS 1000000L
/* Section 1: wall time per size, shared by all contenders; fewest rounds. */
#define PEER_TARGET_SECONDS 2.0
#define PEER_MIN_REPS 11
/* Section 2: wall time per size. */
#define SCALE_TARGET_SECONDS 0.4
#define SCALE_MIN_REPS 7
/* lib/hog_batch.c hands out 16-image chunks: 64 images give 4 chunks, so
 * 2 threads can be balanced; 32 (2 chunks) is the fewest that can use 2. */
#define BATCH_IMAGES 64
#define QUICK_BATCH_IMAGES 32
#define BATCH_TARGET_SECONDS 2.0
#define BATCH_MIN_REPS 5
/* Section 3. */
#define DIGITS 6000
#define QUICK_DIGITS 300
#define DIGIT_SIDE 32
#define DIGIT_TARGET_SECONDS 4.0
#define DIGIT_MIN_PASSES 5
/* Sections 4 and 5. */
#define TRAIN_ROWS 5000
#define TEST_ROWS 1000
#define QUICK_TRAIN_ROWS 1000
#define QUICK_TEST_ROWS 100
#define SYNTH_CLASSES 10
#define FIT_REPS 3
#define SVM_C 0.1
#define SVM_BIAS 1.0
#define SVM_TOLERANCE 0.1
#define KNN_K 3
/* Distinct images per size: about POOL_PIXELS pixels, MIN_POOL to MAX_POOL images. */
#define POOL_PIXELS (4u << 20)
#define MIN_POOL 4
#define MAX_POOL 64

enum {
    SECTION_HOG = 1,
    SECTION_SCALING = 2,
    SECTION_DIGITS = 4,
    SECTION_SVM = 8,
    SECTION_KNN = 16,
    SECTION_ALL = 31
};

typedef struct options {
    int quick;
    long reps; /* 0: automatic */
    unsigned sections;
} options;

typedef struct rng {
    uint64_t state;
} rng;

typedef struct timing {
    double median_s;
    double min_s;
} timing;

/* One timed contender: call(ctx, i) does one unit of work on input i. */
typedef int (*call_fn)(void *ctx, size_t index);

/* Times are per call: wall clock (CLOCK_MONOTONIC) and process CPU time
 * (CLOCK_PROCESS_CPUTIME_ID, all threads). On a shared machine the CPU
 * time leaves out the time other processes held the CPU. */
typedef struct contender {
    const char *name;
    call_fn call;
    void *ctx;
    double *wall_samples;
    double *cpu_samples;
    timing wall;
    timing cpu;
} contender;

/* The real or synthetic data of sections 3-5. */
typedef struct bench_data {
    int real;
    char source[512];
    hogfeat_dataset *train;
    hogfeat_dataset *test;
} bench_data;

/* ---------------------------------------------------------------- helpers */

/* splitmix64: small, deterministic, good enough for test images. */
static uint32_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* Uniform in [lo, hi). */
static double rng_uniform(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((double)rng_next(r) / 4294967296.0);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts samples in place. */
static timing summarise(double *samples, size_t count)
{
    qsort(samples, count, sizeof *samples, compare_doubles);
    timing t;
    t.min_s = samples[0];
    t.median_s = count % 2 ? samples[count / 2] : 0.5 * (samples[count / 2 - 1] + samples[count / 2]);
    return t;
}

static int report_failure(const char *what, hogfeat_status status)
{
    fprintf(stderr, "bench-peers: %s failed: %s (%s): %s\n", what, hogfeat_status_name((int)status),
            hogfeat_strerror((int)status), hogfeat_last_error_message());
    return 1;
}

static int out_of_memory(const char *what)
{
    fprintf(stderr, "bench-peers: out of memory for %s\n", what);
    return 1;
}

/* Wall and process CPU time at a section's start, to show contention: on
 * an idle machine a single-threaded section uses about 1 CPU second per
 * wall second; less means other processes took the CPU meanwhile. */
typedef struct section_clock {
    double wall_s;
    double cpu_s;
} section_clock;

static double process_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

static section_clock section_start(void)
{
    section_clock c = {now_seconds(), process_cpu_seconds()};
    return c;
}

static void section_end(section_clock c)
{
    double wall = now_seconds() - c.wall_s, cpu = process_cpu_seconds() - c.cpu_s;
    char load[64] = "unknown";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fgets(load, sizeof load, f))
            load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("[section: %.1f s wall, %.1f s CPU of this process; load average now %s]\n", wall, cpu, load);
    fflush(stdout);
}

static long clamp_reps(double wanted, long lo, long hi)
{
    if (!(wanted >= (double)lo))
        return lo;
    if (wanted >= (double)hi)
        return hi;
    return (long)wanted;
}

static size_t pool_size(size_t width, size_t height)
{
    size_t n = POOL_PIXELS / (width * height);
    return n < MIN_POOL ? MIN_POOL : n > MAX_POOL ? MAX_POOL : n;
}

static void print_ratio(double peer_s, double ours_s)
{
    if (peer_s > 0.0 && ours_s > 0.0)
        printf(" %10.2f", peer_s / ours_s);
    else
        printf(" %10s", "n/a");
}

/* A textured natural-looking frame (as in bench-hog.c): two triangle-wave
 * ramps, hard rectangle edges and +-12 grey levels of noise, shifted by
 * phase pixels so frames of one size differ beyond the noise. */
static void fill_textured(uint8_t *pixels, size_t width, size_t height, size_t phase, rng *r)
{
    for (size_t row = 0; row < height; row++) {
        for (size_t col = 0; col < width; col++) {
            size_t x = col + phase, y = row + phase / 2;
            long tx = (long)((x * 3 + y) % 256), ty = (long)((y * 5 + x / 2) % 192);
            long v = (tx < 128 ? tx : 255 - tx) + (ty < 96 ? ty : 191 - ty) / 2;
            if ((x / 97 + y / 61) % 3 == 0)
                v += 50;
            v += (long)(rng_next(r) % 25) - 12;
            pixels[row * width + col] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/* A digit-like 32x32 image (as in bench-hog.c): 2 to 4 thick anti-aliased
 * white strokes on black inside the central 20x20 box. */
static void fill_digit(uint8_t *pixels, rng *r)
{
    memset(pixels, 0, DIGIT_SIDE * DIGIT_SIDE);
    int strokes = 2 + (int)(rng_next(r) % 3);
    double px = rng_uniform(r, 8.0, 24.0), py = rng_uniform(r, 6.0, 26.0);
    for (int s = 0; s < strokes; s++) {
        double qx = rng_uniform(r, 6.0, 26.0), qy = rng_uniform(r, 6.0, 26.0);
        double radius = rng_uniform(r, 1.0, 2.2);
        double dx = qx - px, dy = qy - py, len2 = dx * dx + dy * dy;
        for (int y = 0; y < DIGIT_SIDE; y++) {
            for (int x = 0; x < DIGIT_SIDE; x++) {
                double t = len2 > 0.0 ? ((x - px) * dx + (y - py) * dy) / len2 : 0.0;
                t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
                double ex = x - (px + t * dx), ey = y - (py + t * dy), d2 = ex * ex + ey * ey;
                double inner = radius * radius, outer = (radius + 1.0) * (radius + 1.0);
                double a = d2 <= inner ? 1.0 : d2 >= outer ? 0.0 : (outer - d2) / (outer - inner);
                int v = (int)(a * 255.0 + 0.5);
                uint8_t *p = &pixels[y * DIGIT_SIDE + x];
                if (v > *p)
                    *p = (uint8_t)v;
            }
        }
        px = qx;
        py = qy;
    }
}

/* 8x8 or 4x4 cells, 2x2 blocks, block stride 1 cell, 9 bins, L2-Hys. */
static hogfeat_status make_config(int32_t cell_px, hogfeat_hog_config **out_config)
{
    hogfeat_hog_config *config = NULL;
    hogfeat_status st = hogfeat_hog_config_create(&config);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(config, cell_px, cell_px);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_size(config, 2, 2);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_stride(config, 1, 1);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_orientations(config, 9);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_norm(config, HOGFEAT_NORM_L2HYS);
    if (st != HOGFEAT_OK) {
        hogfeat_hog_config_destroy(config);
        config = NULL;
    }
    *out_config = config;
    return st;
}

/* ------------------------------------------------------ interleaved timing */

static contender make_contender(const char *name, call_fn call, void *ctx)
{
    contender c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.call = call;
    c.ctx = ctx;
    return c;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs n contenders in rounds, one sample each per round in an order that
 * rotates from round to round. A sample is `group` consecutive calls on
 * inputs (round * group + g) % pool, so every contender sees the same
 * images; group is 1 unless the fastest call is shorter than
 * MIN_SAMPLE_SECONDS (reading the CPU clock costs about a microsecond).
 * With warmup, each contender first runs WARMUP_CALLS calls and
 * WARMUP_SECONDS, and the round count follows from target_s; otherwise it
 * is fixed_reps. Fills each contender's per-call timings; returns 0 or 1
 * (a call failed). */
static int run_contest(contender *c, int n, size_t pool, int warmup, double target_s, long min_reps,
                       long fixed_reps, const options *opt, long *out_reps, long *out_group)
{
    double per_round = 0.0, fastest = 0.0;
    if (warmup) {
        for (int k = 0; k < n; k++) {
            long calls = 0;
            double start = now_seconds(), after_first = start, elapsed = 0.0;
            for (;;) {
                if (c[k].call(c[k].ctx, (size_t)calls % pool) != 0)
                    return 1;
                double now = now_seconds();
                if (calls++ == 0)
                    after_first = now;
                elapsed = now - start;
                if (opt->quick || (calls >= WARMUP_CALLS && elapsed >= WARMUP_SECONDS))
                    break;
            }
            double per_call = calls > 1 ? (start + elapsed - after_first) / (double)(calls - 1) : elapsed;
            per_round += per_call;
            if (k == 0 || per_call < fastest)
                fastest = per_call;
        }
    }
    long group = 1;
    if (warmup && fastest > 0.0 && fastest < MIN_SAMPLE_SECONDS)
        group = (long)(MIN_SAMPLE_SECONDS / fastest) + 1;
    long reps = fixed_reps > 0 ? fixed_reps
                : opt->reps > 0 ? opt->reps
                : opt->quick   ? QUICK_REPS
                               : clamp_reps(target_s / (per_round * (double)group), min_reps, MAX_REPS);
    for (int k = 0; k < n; k++) {
        free(c[k].wall_samples);
        free(c[k].cpu_samples);
        c[k].wall_samples = malloc((size_t)reps * sizeof *c[k].wall_samples);
        c[k].cpu_samples = malloc((size_t)reps * sizeof *c[k].cpu_samples);
        if (!c[k].wall_samples || !c[k].cpu_samples)
            return out_of_memory("timing samples");
    }
    for (long r = 0; r < reps; r++) {
        for (int j = 0; j < n; j++) {
            contender *x = &c[((size_t)r + (size_t)j) % (size_t)n];
            double w0 = now_seconds(), c0 = cpu_seconds();
            for (long g = 0; g < group; g++)
                if (x->call(x->ctx, ((size_t)r * (size_t)group + (size_t)g) % pool) != 0)
                    return 1;
            double c1 = cpu_seconds(), w1 = now_seconds();
            x->wall_samples[r] = (w1 - w0) / (double)group;
            x->cpu_samples[r] = (c1 - c0) / (double)group;
        }
    }
    for (int k = 0; k < n; k++) {
        c[k].wall = summarise(c[k].wall_samples, (size_t)reps);
        c[k].cpu = summarise(c[k].cpu_samples, (size_t)reps);
    }
    *out_reps = reps;
    if (out_group)
        *out_group = group;
    return 0;
}

static void free_contenders(contender *c, int n)
{
    for (int k = 0; k < n; k++) {
        free(c[k].wall_samples);
        free(c[k].cpu_samples);
        c[k].wall_samples = c[k].cpu_samples = NULL;
    }
}

/* ------------------------------------------------------------ image pools */

/* Distinct u8 images of one size, wrapped for libhogfeat, and a float copy
 * for VLFeat (converted here, outside every timing). */
typedef struct image_pool {
    size_t width, height, count;
    uint8_t *pixels;
    float *fpixels;
    hogfeat_image **images;
} image_pool;

static void pool_free(image_pool *p)
{
    if (p->images)
        for (size_t i = 0; i < p->count; i++)
            hogfeat_image_destroy(p->images[i]);
    free(p->images);
    free(p->fpixels);
    free(p->pixels);
    memset(p, 0, sizeof *p);
}

/* Wraps count images already in p->pixels (packed); makes the float copy
 * when with_float. */
static int pool_wrap(image_pool *p, int with_float)
{
    const size_t npx = p->width * p->height;
    p->images = calloc(p->count, sizeof *p->images);
    if (!p->images)
        return out_of_memory("image handles");
    for (size_t i = 0; i < p->count; i++) {
        hogfeat_status st = hogfeat_image_wrap(p->pixels + i * npx, HOGFEAT_FORMAT_U8_GRAY, p->width,
                                               p->height, p->width, &p->images[i]);
        if (st != HOGFEAT_OK)
            return report_failure("hogfeat_image_wrap", st);
    }
    if (with_float) {
        p->fpixels = malloc(p->count * npx * sizeof *p->fpixels);
        if (!p->fpixels)
            return out_of_memory("float images");
        for (size_t i = 0; i < p->count * npx; i++)
            p->fpixels[i] = (float)p->pixels[i];
    }
    return 0;
}

static int pool_textured(image_pool *p, size_t width, size_t height, size_t count, int with_float, rng *r)
{
    memset(p, 0, sizeof *p);
    p->width = width;
    p->height = height;
    p->count = count;
    p->pixels = malloc(count * width * height);
    if (!p->pixels)
        return out_of_memory("images");
    for (size_t i = 0; i < count; i++)
        fill_textured(p->pixels + i * width * height, width, height, i * 37, r);
    return pool_wrap(p, with_float);
}

/* -------------------------------------------------- per-call HOG adapters */

typedef struct ours_ctx {
    const hogfeat_hog_config *config;
    const image_pool *pool;
    float *out;
    size_t length;
} ours_ctx;

static int call_ours(void *ctx, size_t index)
{
    ours_ctx *c = ctx;
    hogfeat_status st = hogfeat_hog_compute(c->config, c->pool->images[index], c->out, c->length);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_hog_compute", st);
}

#ifdef HOGFEAT_BENCH_HAVE_OPENCV
typedef struct cv_ctx {
    peer_cv_hog *hog;
    const image_pool *pool;
} cv_ctx;

static int call_cv(void *ctx, size_t index)
{
    cv_ctx *c = ctx;
    const image_pool *p = c->pool;
    if (peer_cv_hog_compute(c->hog, p->pixels + index * p->width * p->height, (int)p->width,
                            (int)p->height) < 0) {
        fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
        return 1;
    }
    return 0;
}
#endif

#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
typedef struct vl_ctx {
    VlHog *hog;
    const image_pool *pool;
    vl_size cell_px;
    float *out;
} vl_ctx;

static int call_vl(void *ctx, size_t index)
{
    vl_ctx *c = ctx;
    const image_pool *p = c->pool;
    vl_hog_put_image(c->hog, p->fpixels + index * p->width * p->height, p->width, p->height, 1, c->cell_px);
    vl_hog_extract(c->hog, c->out);
    return 0;
}

/* Descriptor length for an image size; sizes the buffers with one call. */
static size_t vl_length(VlHog *hog, const float *image, size_t width, size_t height, vl_size cell_px)
{
    vl_hog_put_image(hog, image, width, height, 1, cell_px);
    return vl_hog_get_width(hog) * vl_hog_get_height(hog) * vl_hog_get_dimension(hog);
}
#endif

/* ------------------------------------------------ section 1: HOG vs peers */

typedef struct peer_row {
    char label[32];
    /* Median seconds per call, wall and CPU, of libhogfeat, OpenCV, VLFeat; 0 = n/a. */
    double wall[3], cpu[3];
    size_t npx;
} peer_row;

#define PEER_ROW_HEADER "%-10s %-11s %9s %10s %10s %10s %10s %8s %10s %10s\n"

static void print_contender_row(const char *size_label, const contender *c, long reps, long group, size_t npx,
                                size_t length, const contender *ours)
{
    char samples[48];
    snprintf(samples, sizeof samples, "%ldx%ld", reps, group);
    printf("%-10s %-11s %9s %10.1f %10.1f %10.2f %10.2f %8zu", size_label, c->name, samples,
           c->wall.median_s * 1e6, c->cpu.median_s * 1e6, c->wall.median_s * 1e9 / (double)npx,
           c->cpu.median_s * 1e9 / (double)npx, length);
    print_ratio(c->wall.median_s, ours->wall.median_s);
    print_ratio(c->cpu.median_s, ours->cpu.median_s);
    printf("\n");
}

static void print_missing_row(const char *size_label, const char *name)
{
    printf(PEER_ROW_HEADER, size_label, name, "-", "n/a", "n/a", "n/a", "n/a", "-", "n/a", "n/a");
}

static int bench_peer_size(const hogfeat_hog_config *config, size_t width, size_t height, const options *opt,
                           rng *r, peer_row *row)
{
    image_pool pool;
    contender c[3];
    int n = 0, rc = 1;
    size_t length = 0, cv_length = 0, vl_len = 0;
    float *out = NULL;
    int has_cv = 0, has_vl = 0;
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    cv_ctx cvc = {NULL, &pool};
    has_cv = 1;
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    vl_ctx vlc = {NULL, &pool, 8, NULL};
    has_vl = 1;
#endif
    memset(c, 0, sizeof c);
    memset(row, 0, sizeof *row);
    snprintf(row->label, sizeof row->label, "%zux%zu", width, height);
    row->npx = width * height;

    if (pool_textured(&pool, width, height, pool_size(width, height), has_vl, r) != 0)
        goto done;
    hogfeat_status st = hogfeat_hog_feature_length(config, width, height, &length);
    if (st != HOGFEAT_OK) {
        report_failure("hogfeat_hog_feature_length", st);
        goto done;
    }
    out = malloc(length * sizeof *out);
    if (!out) {
        out_of_memory("descriptor");
        goto done;
    }
    ours_ctx oc = {config, &pool, out, length};
    c[n++] = make_contender("libhogfeat", call_ours, &oc);

#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    cvc.hog = peer_cv_hog_create((int)width, (int)height, 8, 9);
    if (!cvc.hog) {
        fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
        goto done;
    }
    cv_length = peer_cv_hog_length(cvc.hog);
    c[n++] = make_contender("OpenCV", call_cv, &cvc);
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    vlc.hog = vl_hog_new(VlHogVariantDalalTriggs, 9, VL_FALSE);
    if (!vlc.hog) {
        out_of_memory("VLFeat HOG");
        goto done;
    }
    vl_len = vl_length(vlc.hog, pool.fpixels, width, height, vlc.cell_px);
    vlc.out = malloc(vl_len * sizeof *vlc.out);
    if (!vlc.out) {
        out_of_memory("VLFeat descriptor");
        goto done;
    }
    c[n++] = make_contender("VLFeat", call_vl, &vlc);
#endif

    long reps = 0, group = 1;
    if (run_contest(c, n, pool.count, 1, PEER_TARGET_SECONDS, PEER_MIN_REPS, 0, opt, &reps, &group) != 0)
        goto done;

    int k = 0;
    row->wall[0] = c[k].wall.median_s;
    row->cpu[0] = c[k].cpu.median_s;
    print_contender_row(row->label, &c[k++], reps, group, row->npx, length, &c[0]);
    if (has_cv) {
        row->wall[1] = c[k].wall.median_s;
        row->cpu[1] = c[k].cpu.median_s;
        print_contender_row("", &c[k++], reps, group, row->npx, cv_length, &c[0]);
    } else {
        print_missing_row("", "OpenCV");
    }
    if (has_vl) {
        row->wall[2] = c[k].wall.median_s;
        row->cpu[2] = c[k].cpu.median_s;
        print_contender_row("", &c[k++], reps, group, row->npx, vl_len, &c[0]);
    } else {
        print_missing_row("", "VLFeat");
    }
    fflush(stdout);
    rc = 0;

done:
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_hog_destroy(cvc.hog);
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    if (vlc.hog)
        vl_hog_delete(vlc.hog);
    free(vlc.out);
#endif
    (void)cv_length;
    (void)vl_len;
    free_contenders(c, n);
    free(out);
    pool_free(&pool);
    return rc;
}

static void print_ns(double seconds, size_t npx)
{
    if (seconds > 0.0)
        printf(" %11.2f", seconds * 1e9 / (double)npx);
    else
        printf(" %11s", "n/a");
}

static int section_hog(const hogfeat_hog_config *config8, const options *opt, rng *r)
{
    static const size_t sizes[][2] = {{64, 128}, {640, 480}, {1920, 1080}};
    enum { NSIZES = sizeof sizes / sizeof sizes[0] };
    peer_row rows[NSIZES];

    printf("\n== 1. HOG per image, single-threaded: 8x8 cells, 2x2 blocks, block stride 1 cell, 9 bins, "
           "L2-Hys, u8 gray ==\n");
    printf("OpenCV: HOGDescriptor(winSize = image, block 16x16, stride 8x8, cell 8x8, 9 bins), compute() "
           "of one window.\n");
    printf("VLFeat: DalalTriggs variant, cell 8, 9 orientations; float images converted beforehand "
           "(not timed).\n");
    printf("samples = rounds x calls per timed sample; times are medians per call; ratio = peer/ours.\n");
    printf(PEER_ROW_HEADER, "size", "library", "samples", "wall_us", "cpu_us", "wall_ns/px", "cpu_ns/px", "feat",
           "ratio_wall", "ratio_cpu");
    fflush(stdout);
    for (size_t i = 0; i < NSIZES; i++)
        if (bench_peer_size(config8, sizes[i][0], sizes[i][1], opt, r, &rows[i]) != 0)
            return 1;

    printf("\nsummary, ns/pixel from the median per-call time:\n");
    printf("%-10s %-5s %11s %11s %11s %12s %12s\n", "size", "clock", "libhogfeat", "OpenCV", "VLFeat",
           "OpenCV/ours", "VLFeat/ours");
    for (size_t i = 0; i < NSIZES; i++) {
        for (int clock = 0; clock < 2; clock++) {
            const double *t = clock == 0 ? rows[i].wall : rows[i].cpu;
            printf("%-10s %-5s", clock == 0 ? rows[i].label : "", clock == 0 ? "wall" : "cpu");
            for (int j = 0; j < 3; j++)
                print_ns(t[j], rows[i].npx);
            printf(" ");
            print_ratio(t[1], t[0]);
            printf(" ");
            print_ratio(t[2], t[0]);
            printf("\n");
        }
    }
    fflush(stdout);
    return 0;
}

/* -------------------------------------------------- section 2: scaling */

typedef struct batch_ctx {
    const hogfeat_hog_config *config;
    const image_pool *pool;
    int32_t threads;
    float *out;
    size_t length;
} batch_ctx;

static int call_batch(void *ctx, size_t index)
{
    batch_ctx *c = ctx;
    (void)index;
    hogfeat_status st = hogfeat_hog_compute_batch(c->config, (const hogfeat_image *const *)c->pool->images,
                                                  c->pool->count, c->threads, c->out, c->length,
                                                  c->length * c->pool->count);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_hog_compute_batch", st);
}

static int section_scaling(const hogfeat_hog_config *config8, const options *opt, rng *r)
{
    static const size_t sizes[][2] = {{32, 32},   {64, 64},   {64, 128},  {128, 128},
                                      {320, 240}, {640, 480}, {1280, 720}, {1920, 1080}};
    printf("\n== 2. libhogfeat scaling, single-threaded hogfeat_hog_compute (8x8 cells, 2x2 blocks, 9 bins, "
           "L2-Hys) ==\n");
    printf("%-10s %9s %10s %10s %10s %10s %9s %5s\n", "size", "samples", "wall_us", "cpu_us", "wall_ns/px",
           "cpu_ns/px", "Mpx/s", "imgs");
    fflush(stdout);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const size_t w = sizes[i][0], h = sizes[i][1];
        image_pool pool;
        size_t length = 0;
        contender c = make_contender("libhogfeat", call_ours, NULL);
        if (pool_textured(&pool, w, h, pool_size(w, h), 0, r) != 0) {
            pool_free(&pool);
            return 1;
        }
        hogfeat_status st = hogfeat_hog_feature_length(config8, w, h, &length);
        float *out = st == HOGFEAT_OK ? malloc(length * sizeof *out) : NULL;
        ours_ctx oc = {config8, &pool, out, length};
        c.ctx = &oc;
        long reps = 0, group = 1;
        int rc = st != HOGFEAT_OK ? report_failure("hogfeat_hog_feature_length", st)
                 : !out           ? out_of_memory("descriptor")
                                  : run_contest(&c, 1, pool.count, 1, SCALE_TARGET_SECONDS, SCALE_MIN_REPS,
                                                0, opt, &reps, &group);
        if (rc == 0) {
            char label[48], samples[48];
            snprintf(label, sizeof label, "%zux%zu", w, h);
            snprintf(samples, sizeof samples, "%ldx%ld", reps, group);
            printf("%-10s %9s %10.2f %10.2f %10.2f %10.2f %9.1f %5zu\n", label, samples, c.wall.median_s * 1e6,
                   c.cpu.median_s * 1e6, c.wall.median_s * 1e9 / (double)(w * h),
                   c.cpu.median_s * 1e9 / (double)(w * h), (double)(w * h) / c.wall.median_s * 1e-6,
                   pool.count);
            fflush(stdout);
        }
        free_contenders(&c, 1);
        free(out);
        pool_free(&pool);
        if (rc != 0)
            return 1;
    }

    /* Batch of distinct 640x480 frames, 1 and 2 threads interleaved. */
    const size_t w = 640, h = 480, count = opt->quick ? QUICK_BATCH_IMAGES : BATCH_IMAGES;
    image_pool pool;
    size_t length = 0;
    int rc = 1;
    float *out = NULL;
    contender c[2];
    memset(c, 0, sizeof c);
    if (pool_textured(&pool, w, h, count, 0, r) != 0)
        goto done;
    hogfeat_status st = hogfeat_hog_feature_length(config8, w, h, &length);
    if (st != HOGFEAT_OK) {
        report_failure("hogfeat_hog_feature_length", st);
        goto done;
    }
    out = malloc(count * length * sizeof *out);
    if (!out) {
        out_of_memory("batch descriptors");
        goto done;
    }
    batch_ctx b1 = {config8, &pool, 1, out, length}, b2 = {config8, &pool, 2, out, length};
    c[0] = make_contender("1 thread", call_batch, &b1);
    c[1] = make_contender("2 threads", call_batch, &b2);
    long reps = 0;
    if (run_contest(c, 2, 1, 1, BATCH_TARGET_SECONDS, BATCH_MIN_REPS, 0, opt, &reps, NULL) != 0)
        goto done;
    printf("\nhogfeat_hog_compute_batch, %zu distinct 640x480 images per call, median of %ld calls each.\n"
           "speed-up is from wall time; cpu/wall is the CPUs the call actually got (2 threads on an idle\n"
           "2-CPU machine: about 2; well below that, other processes held the CPUs).\n",
           count, reps);
    printf("%-10s %10s %10s %10s %10s %9s %9s\n", "threads", "wall_ms", "cpu_ms", "images/s", "wall_ns/px",
           "speed-up", "cpu/wall");
    for (int k = 0; k < 2; k++)
        printf("%-10s %10.2f %10.2f %10.1f %10.2f %9.2f %9.2f\n", c[k].name, c[k].wall.median_s * 1e3,
               c[k].cpu.median_s * 1e3, (double)count / c[k].wall.median_s,
               c[k].wall.median_s * 1e9 / (double)(count * w * h), c[0].wall.median_s / c[k].wall.median_s,
               c[k].cpu.median_s / c[k].wall.median_s);
    fflush(stdout);
    rc = 0;
done:
    free_contenders(c, 2);
    free(out);
    pool_free(&pool);
    return rc;
}

/* ---------------------------------------------------- section 3: digits */

typedef struct stack_ctx {
    const hogfeat_hog_config *config;
    const uint8_t *pixels;
    size_t count;
    int32_t threads;
    float *out;
    size_t length;
} stack_ctx;

static int call_stack(void *ctx, size_t index)
{
    stack_ctx *c = ctx;
    (void)index;
    hogfeat_status st = hogfeat_hog_compute_stack(c->config, c->pixels, HOGFEAT_FORMAT_U8_GRAY, c->count,
                                                  DIGIT_SIDE, DIGIT_SIDE, 0, 0, c->threads, c->out,
                                                  c->length, c->length * c->count);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_hog_compute_stack", st);
}

typedef struct loop_ctx {
    const hogfeat_hog_config *config;
    const image_pool *pool;
    float *out;
    size_t length;
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_hog *cv;
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    VlHog *vl;
#endif
} loop_ctx;

static int call_loop_ours(void *ctx, size_t index)
{
    loop_ctx *c = ctx;
    (void)index;
    for (size_t i = 0; i < c->pool->count; i++) {
        hogfeat_status st = hogfeat_hog_compute(c->config, c->pool->images[i], c->out, c->length);
        if (st != HOGFEAT_OK)
            return report_failure("hogfeat_hog_compute", st);
    }
    return 0;
}

#ifdef HOGFEAT_BENCH_HAVE_OPENCV
static int call_loop_cv(void *ctx, size_t index)
{
    loop_ctx *c = ctx;
    (void)index;
    const size_t npx = DIGIT_SIDE * DIGIT_SIDE;
    for (size_t i = 0; i < c->pool->count; i++) {
        if (peer_cv_hog_compute(c->cv, c->pool->pixels + i * npx, DIGIT_SIDE, DIGIT_SIDE) < 0) {
            fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
            return 1;
        }
    }
    return 0;
}
#endif

#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
static int call_loop_vl(void *ctx, size_t index)
{
    loop_ctx *c = ctx;
    (void)index;
    const size_t npx = DIGIT_SIDE * DIGIT_SIDE;
    for (size_t i = 0; i < c->pool->count; i++) {
        vl_hog_put_image(c->vl, c->pool->fpixels + i * npx, DIGIT_SIDE, DIGIT_SIDE, 1, 4);
        vl_hog_extract(c->vl, c->out);
    }
    return 0;
}
#endif

static int section_digits(const hogfeat_hog_config *config4, const bench_data *data, const options *opt,
                          rng *r)
{
    const size_t npx = DIGIT_SIDE * DIGIT_SIDE;
    const size_t wanted = opt->quick ? QUICK_DIGITS : DIGITS;
    image_pool pool;
    contender c[5];
    int n = 0, rc = 1, has_vl = 0;
    size_t length = 0, vl_len = 0;
    float *matrix = NULL, *one = NULL;
    loop_ctx lc;
    memset(c, 0, sizeof c);
    memset(&pool, 0, sizeof pool);
    memset(&lc, 0, sizeof lc);
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    has_vl = 1;
#endif

    /* Real digits: the training split then the test split (5000 + 1000). */
    pool.width = pool.height = DIGIT_SIDE;
    pool.count = wanted;
    pool.pixels = malloc(wanted * npx);
    if (!pool.pixels) {
        out_of_memory("digit images");
        goto done;
    }
    size_t filled = 0;
    if (data->real) {
        const hogfeat_dataset *sets[2] = {data->train, data->test};
        for (int s = 0; s < 2 && filled < wanted; s++) {
            size_t take = hogfeat_dataset_count(sets[s]);
            if (take > wanted - filled)
                take = wanted - filled;
            memcpy(pool.pixels + filled * npx, hogfeat_dataset_pixels(sets[s]), take * npx);
            filled += take;
        }
    }
    for (; filled < wanted; filled++)
        fill_digit(pool.pixels + filled * npx, r);
    if (pool_wrap(&pool, has_vl) != 0)
        goto done;

    hogfeat_status st = hogfeat_hog_feature_length(config4, DIGIT_SIDE, DIGIT_SIDE, &length);
    if (st != HOGFEAT_OK) {
        report_failure("hogfeat_hog_feature_length", st);
        goto done;
    }
    matrix = malloc(wanted * length * sizeof *matrix);
    one = malloc(length * sizeof *one);
    if (!matrix || !one) {
        out_of_memory("digit descriptors");
        goto done;
    }
    stack_ctx s1 = {config4, pool.pixels, wanted, 1, matrix, length};
    stack_ctx s2 = {config4, pool.pixels, wanted, 2, matrix, length};
    lc.config = config4;
    lc.pool = &pool;
    lc.out = one;
    lc.length = length;
    c[n++] = make_contender("libhogfeat stack, 1 thread", call_stack, &s1);
    c[n++] = make_contender("libhogfeat stack, 2 threads", call_stack, &s2);
    c[n++] = make_contender("libhogfeat compute, 1 by 1", call_loop_ours, &lc);
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    lc.cv = peer_cv_hog_create(DIGIT_SIDE, DIGIT_SIDE, 4, 9);
    if (!lc.cv) {
        fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
        goto done;
    }
    c[n++] = make_contender("OpenCV compute, 1 by 1", call_loop_cv, &lc);
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    lc.vl = vl_hog_new(VlHogVariantDalalTriggs, 9, VL_FALSE);
    if (!lc.vl) {
        out_of_memory("VLFeat HOG");
        goto done;
    }
    vl_len = vl_length(lc.vl, pool.fpixels, DIGIT_SIDE, DIGIT_SIDE, 4);
    if (vl_len > length) {
        float *bigger = realloc(one, vl_len * sizeof *one);
        if (!bigger) {
            out_of_memory("VLFeat descriptor");
            goto done;
        }
        one = lc.out = bigger;
    }
    c[n++] = make_contender("VLFeat, 1 by 1", call_loop_vl, &lc);
#endif

    long reps = 0;
    /* One warm-up pass each (quick: the timed pass only). */
    if (!opt->quick)
        for (int k = 0; k < n; k++)
            if (c[k].call(c[k].ctx, 0) != 0)
                goto done;
    double per_round = 0.0;
    if (!opt->quick) {
        for (int k = 0; k < n; k++) {
            double t0 = now_seconds();
            if (c[k].call(c[k].ctx, 0) != 0)
                goto done;
            per_round += now_seconds() - t0;
        }
    }
    long passes = opt->reps > 0 ? opt->reps
                  : opt->quick  ? 1
                                : clamp_reps(DIGIT_TARGET_SECONDS / per_round, DIGIT_MIN_PASSES, 1000);
    if (run_contest(c, n, 1, 0, 0.0, 0, passes, opt, &reps, NULL) != 0)
        goto done;

    printf("\n== 3. Digits: %zu %s 32x32 u8 images, 4x4 cells, 2x2 blocks, 9 bins, L2-Hys (%zu floats) ==\n",
           wanted, data->real ? "CMATERdb" : "synthetic", length);
    printf("Each call is a pass over all images; median of %ld passes. 'stack' fills a %zu x %zu matrix; "
           "'1 by 1' reuses one output buffer.\n",
           reps, wanted, length);
    printf("images/s from wall time; ratios = time / time of 'libhogfeat stack, 1 thread' (> 1: slower);\n"
           "the CPU time of the 2-thread row is summed over both threads.\n");
    printf("%-28s %10s %11s %11s %10s %10s\n", "library", "images/s", "wall_us/img", "cpu_us/img",
           "ratio_wall", "ratio_cpu");
    int has_cv = 0;
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    has_cv = 1;
#endif
    for (int k = 0; k < n; k++) {
        printf("%-28s %10.0f %11.3f %11.3f", c[k].name, (double)wanted / c[k].wall.median_s,
               c[k].wall.median_s * 1e6 / (double)wanted, c[k].cpu.median_s * 1e6 / (double)wanted);
        print_ratio(c[k].wall.median_s, c[0].wall.median_s);
        print_ratio(c[k].cpu.median_s, c[0].cpu.median_s);
        printf("\n");
        if (k == 2 && !has_cv)
            printf("%-28s %10s %11s %11s %10s %10s\n", "OpenCV compute, 1 by 1", "n/a", "n/a", "n/a", "n/a",
                   "n/a");
    }
    if (!has_vl)
        printf("%-28s %10s %11s %11s %10s %10s\n", "VLFeat, 1 by 1", "n/a", "n/a", "n/a", "n/a", "n/a");
    printf("libhogfeat stack 1 -> 2 threads: speed-up %.2f (wall), the 2-thread passes got %.2f CPUs.\n",
           c[0].wall.median_s / c[1].wall.median_s, c[1].cpu.median_s / c[1].wall.median_s);
    printf("Descriptor lengths: libhogfeat %zu, OpenCV ", length);
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    printf("%zu", peer_cv_hog_length(lc.cv));
#else
    printf("n/a");
#endif
    if (has_vl)
        printf(", VLFeat %zu (8x8 cells x 36, its own layout)\n", vl_len);
    else
        printf(", VLFeat n/a\n");
    fflush(stdout);
    rc = 0;

done:
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_hog_destroy(lc.cv);
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    if (lc.vl)
        vl_hog_delete(lc.vl);
#endif
    free_contenders(c, n);
    free(one);
    free(matrix);
    pool_free(&pool);
    return rc;
}

/* ------------------------------------------------ features for 4 and 5 */

typedef struct feature_set {
    size_t train_rows, test_rows, dim;
    float *train;
    float *test;
    int32_t *train_labels;
    int32_t *test_labels;
} feature_set;

static void features_free(feature_set *f)
{
    free(f->train);
    free(f->test);
    free(f->train_labels);
    free(f->test_labels);
    memset(f, 0, sizeof *f);
}

/* rows rows of dataset d, evenly spread over it (the files are sorted by
 * class), as HOG features through hogfeat_hog_compute_stack, no blur. */
static int real_features(const hogfeat_hog_config *config4, const hogfeat_dataset *d, size_t rows,
                         float **out_features, int32_t **out_labels, size_t dim)
{
    const size_t npx = DIGIT_SIDE * DIGIT_SIDE, total = hogfeat_dataset_count(d);
    const uint8_t *src = hogfeat_dataset_pixels(d);
    const int32_t *labels = hogfeat_dataset_labels(d);
    uint8_t *pixels = malloc(rows * npx);
    *out_features = malloc(rows * dim * sizeof **out_features);
    *out_labels = malloc(rows * sizeof **out_labels);
    if (!pixels || !*out_features || !*out_labels) {
        free(pixels);
        return out_of_memory("features");
    }
    for (size_t i = 0; i < rows; i++) {
        size_t from = rows == total ? i : i * total / rows;
        memcpy(pixels + i * npx, src + from * npx, npx);
        (*out_labels)[i] = labels[from];
    }
    hogfeat_status st = hogfeat_hog_compute_stack(config4, pixels, HOGFEAT_FORMAT_U8_GRAY, rows, DIGIT_SIDE,
                                                  DIGIT_SIDE, 0, 0, 0, *out_features, dim, rows * dim);
    free(pixels);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_hog_compute_stack", st);
}

/* Random non-negative features around 10 class prototypes, HOG-like in
 * range (about 0 to 0.4); the prototypes share one base with a third of
 * its entries zero and differ only slightly, so the classes overlap. */
static int synthetic_features(size_t rows, size_t dim, const float *prototypes, float **out_features,
                              int32_t **out_labels, rng *r)
{
    *out_features = malloc(rows * dim * sizeof **out_features);
    *out_labels = malloc(rows * sizeof **out_labels);
    if (!*out_features || !*out_labels)
        return out_of_memory("features");
    for (size_t i = 0; i < rows; i++) {
        int32_t label = (int32_t)(i % SYNTH_CLASSES);
        (*out_labels)[i] = label;
        for (size_t j = 0; j < dim; j++) {
            double v = prototypes[(size_t)label * dim + j] + rng_uniform(r, -0.12, 0.12);
            (*out_features)[i * dim + j] = (float)(v < 0.0 ? 0.0 : v);
        }
    }
    return 0;
}

static int make_features(const hogfeat_hog_config *config4, const bench_data *data, const options *opt,
                         rng *r, feature_set *f)
{
    memset(f, 0, sizeof *f);
    hogfeat_status st = hogfeat_hog_feature_length(config4, DIGIT_SIDE, DIGIT_SIDE, &f->dim);
    if (st != HOGFEAT_OK)
        return report_failure("hogfeat_hog_feature_length", st);
    f->train_rows = opt->quick ? QUICK_TRAIN_ROWS : TRAIN_ROWS;
    f->test_rows = opt->quick ? QUICK_TEST_ROWS : TEST_ROWS;
    if (data->real) {
        size_t ntr = hogfeat_dataset_count(data->train), nte = hogfeat_dataset_count(data->test);
        f->train_rows = f->train_rows < ntr ? f->train_rows : ntr;
        f->test_rows = f->test_rows < nte ? f->test_rows : nte;
        if (real_features(config4, data->train, f->train_rows, &f->train, &f->train_labels, f->dim) != 0 ||
            real_features(config4, data->test, f->test_rows, &f->test, &f->test_labels, f->dim) != 0)
            return 1;
        return 0;
    }
    float *prototypes = malloc(SYNTH_CLASSES * f->dim * sizeof *prototypes);
    if (!prototypes)
        return out_of_memory("prototypes");
    for (size_t j = 0; j < f->dim; j++) {
        double base = rng_next(r) % 3 == 0 ? 0.0 : rng_uniform(r, 0.0, 0.3);
        for (size_t k = 0; k < SYNTH_CLASSES; k++)
            prototypes[k * f->dim + j] = (float)(base + rng_uniform(r, -0.01, 0.01));
    }
    int rc = synthetic_features(f->train_rows, f->dim, prototypes, &f->train, &f->train_labels, r);
    if (rc == 0)
        rc = synthetic_features(f->test_rows, f->dim, prototypes, &f->test, &f->test_labels, r);
    free(prototypes);
    return rc;
}

static double accuracy(const int32_t *truth, const int32_t *pred, size_t n)
{
    size_t correct = 0;
    for (size_t i = 0; i < n; i++)
        correct += truth[i] == pred[i];
    return n ? 100.0 * (double)correct / (double)n : 0.0;
}

/* ------------------------------------------------------- section 4: SVM */

typedef struct svm_ctx {
    const feature_set *f;
    hogfeat_linsvm_params *params;
    hogfeat_linsvm *model; /* from the last call */
} svm_ctx;

static int call_svm_ours(void *ctx, size_t index)
{
    svm_ctx *c = ctx;
    (void)index;
    hogfeat_linsvm_destroy(c->model);
    c->model = NULL;
    hogfeat_status st = hogfeat_linsvm_train(c->params, c->f->train, c->f->train_rows, c->f->dim, c->f->dim,
                                             c->f->train_labels, &c->model);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_linsvm_train", st);
}

static hogfeat_status svm_params(int32_t threads, hogfeat_linsvm_params **out)
{
    hogfeat_status st = hogfeat_linsvm_params_create(out);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_loss(*out, HOGFEAT_SVM_LOSS_SQUARED_HINGE);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_c(*out, SVM_C);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_bias(*out, SVM_BIAS);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_tolerance(*out, SVM_TOLERANCE);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_params_set_threads(*out, threads);
    return st;
}

#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
typedef struct ll_ctx {
    struct problem prob;
    struct parameter param;
    struct model *model;
    struct feature_node *train_space, *test_space;
    struct feature_node **test_rows;
    size_t nnz;
} ll_ctx;

static void ll_silent(const char *message)
{
    (void)message;
}

/* Dense rows to LIBLINEAR's sparse rows: the non-zero features (1-based
 * indices), the bias node (index dim + 1), the -1 terminator. */
static int ll_rows(const float *x, size_t rows, size_t dim, struct feature_node **out_space,
                   struct feature_node ***out_rows, size_t *out_nnz)
{
    size_t nnz = 0;
    for (size_t i = 0; i < rows * dim; i++)
        nnz += x[i] != 0.0f;
    struct feature_node *space = malloc((nnz + 2 * rows) * sizeof *space);
    struct feature_node **ptrs = malloc(rows * sizeof *ptrs);
    if (!space || !ptrs) {
        free(space);
        free(ptrs);
        return out_of_memory("LIBLINEAR rows");
    }
    struct feature_node *node = space;
    for (size_t i = 0; i < rows; i++) {
        ptrs[i] = node;
        for (size_t j = 0; j < dim; j++) {
            if (x[i * dim + j] != 0.0f) {
                node->index = (int)j + 1;
                node->value = x[i * dim + j];
                node++;
            }
        }
        node->index = (int)dim + 1;
        node->value = SVM_BIAS;
        node++;
        node->index = -1;
        node->value = 0.0;
        node++;
    }
    *out_space = space;
    *out_rows = ptrs;
    *out_nnz = nnz;
    return 0;
}

static int call_svm_ll(void *ctx, size_t index)
{
    ll_ctx *c = ctx;
    (void)index;
    if (c->model)
        free_and_destroy_model(&c->model);
    c->model = train(&c->prob, &c->param);
    if (!c->model) {
        fprintf(stderr, "bench-peers: LIBLINEAR train() returned NULL\n");
        return 1;
    }
    return 0;
}
#endif

static int section_svm(const feature_set *f, const bench_data *data, const options *opt)
{
    contender c[3];
    int n = 0, rc = 1, has_ll = 0;
    svm_ctx o1 = {f, NULL, NULL}, o2 = {f, NULL, NULL};
    int32_t *pred1 = malloc(f->test_rows * sizeof *pred1), *pred2 = malloc(f->test_rows * sizeof *pred2);
    int32_t *pred_ll = malloc(f->test_rows * sizeof *pred_ll);
    memset(c, 0, sizeof c);
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    ll_ctx llc;
    memset(&llc, 0, sizeof llc);
    struct feature_node **train_rows = NULL;
    double *y = malloc(f->train_rows * sizeof *y);
    has_ll = 1;
#endif
    if (!pred1 || !pred2 || !pred_ll) {
        out_of_memory("predictions");
        goto done;
    }
    hogfeat_status st = svm_params(1, &o1.params);
    if (st == HOGFEAT_OK)
        st = svm_params(2, &o2.params);
    if (st != HOGFEAT_OK) {
        report_failure("linear SVM parameters", st);
        goto done;
    }
    c[n++] = make_contender("libhogfeat, 1 thread", call_svm_ours, &o1);
    c[n++] = make_contender("libhogfeat, 2 threads", call_svm_ours, &o2);
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    if (!y) {
        out_of_memory("LIBLINEAR labels");
        goto done;
    }
    for (size_t i = 0; i < f->train_rows; i++)
        y[i] = (double)f->train_labels[i];
    size_t test_nnz = 0;
    if (ll_rows(f->train, f->train_rows, f->dim, &llc.train_space, &train_rows, &llc.nnz) != 0 ||
        ll_rows(f->test, f->test_rows, f->dim, &llc.test_space, &llc.test_rows, &test_nnz) != 0)
        goto done;
    llc.prob.l = (int)f->train_rows;
    llc.prob.n = (int)f->dim + 1;
    llc.prob.y = y;
    llc.prob.x = train_rows;
    llc.prob.bias = SVM_BIAS;
    llc.param.solver_type = L2R_L2LOSS_SVC_DUAL;
    llc.param.eps = SVM_TOLERANCE;
    llc.param.C = SVM_C;
    llc.param.nr_weight = 0;
    llc.param.weight_label = NULL;
    llc.param.weight = NULL;
    llc.param.p = 0.1;
    llc.param.init_sol = NULL;
    const char *bad = check_parameter(&llc.prob, &llc.param);
    if (bad) {
        fprintf(stderr, "bench-peers: LIBLINEAR check_parameter: %s\n", bad);
        goto done;
    }
    set_print_string_function(ll_silent);
    c[n++] = make_contender("LIBLINEAR -s 1", call_svm_ll, &llc);
#endif

    long reps = 0;
    long fits = opt->reps > 0 ? opt->reps : opt->quick ? 1 : FIT_REPS;
    if (run_contest(c, n, 1, 0, 0.0, 0, fits, opt, &reps, NULL) != 0)
        goto done;

    st = hogfeat_linsvm_predict(o1.model, f->test, f->test_rows, f->dim, f->dim, pred1);
    if (st == HOGFEAT_OK)
        st = hogfeat_linsvm_predict(o2.model, f->test, f->test_rows, f->dim, f->dim, pred2);
    if (st != HOGFEAT_OK) {
        report_failure("hogfeat_linsvm_predict", st);
        goto done;
    }
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    for (size_t i = 0; i < f->test_rows; i++)
        pred_ll[i] = (int32_t)predict(llc.model, llc.test_rows[i]);
#endif

    printf("\n== 4. Linear SVM fit: %zu x %zu %s, 10 classes one-vs-rest, C = %g, bias %g, "
           "tolerance = eps = %g ==\n",
           f->train_rows, f->dim,
           data->real ? "HOG features of CMATERdb training images (no blur)"
                      : "random features with 10 synthetic classes (CMATERdb not found)",
           SVM_C, SVM_BIAS, SVM_TOLERANCE);
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    printf("LIBLINEAR gets sparse rows (%.1f%% non-zero, converted once, not timed) and runs single-"
           "threaded.\n",
           100.0 * (double)llc.nnz / (double)(f->train_rows * f->dim));
#endif
    printf("Median of %ld fits each; test accuracy on %zu %s rows.\n", reps, f->test_rows,
           data->real ? "CMATERdb test" : "synthetic held-out");
    printf("Ratios against 'libhogfeat, 1 thread'; CPU time of the 2-thread row is summed over threads.\n");
    printf("%-24s %10s %10s %9s %10s %10s\n", "library", "wall_s", "cpu_s", "test_acc", "ratio_wall",
           "ratio_cpu");
    const int32_t *preds[3] = {pred1, pred2, pred_ll};
    for (int k = 0; k < n; k++) {
        printf("%-24s %10.3f %10.3f %8.2f%%", c[k].name, c[k].wall.median_s, c[k].cpu.median_s,
               accuracy(f->test_labels, preds[k], f->test_rows));
        print_ratio(c[k].wall.median_s, c[0].wall.median_s);
        print_ratio(c[k].cpu.median_s, c[0].cpu.median_s);
        printf("\n");
    }
    if (!has_ll)
        printf("%-24s %10s %10s %9s %10s %10s\n", "LIBLINEAR -s 1", "n/a", "n/a", "n/a", "n/a", "n/a");
    else
        printf("libhogfeat and LIBLINEAR agree on %.2f%% of test predictions.\n",
               accuracy(pred1, pred_ll, f->test_rows));
    fflush(stdout);
    rc = 0;

done:
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    if (llc.model)
        free_and_destroy_model(&llc.model);
    free(llc.train_space);
    free(llc.test_space);
    free(llc.test_rows);
    free(train_rows);
    free(y);
#endif
    hogfeat_linsvm_destroy(o1.model);
    hogfeat_linsvm_destroy(o2.model);
    hogfeat_linsvm_params_destroy(o1.params);
    hogfeat_linsvm_params_destroy(o2.params);
    free_contenders(c, n);
    free(pred1);
    free(pred2);
    free(pred_ll);
    return rc;
}

/* ------------------------------------------------------- section 5: KNN */

typedef struct knn_ctx {
    const feature_set *f;
    hogfeat_knn *model;
    int32_t *pred;
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_knn *cv;
    int threads;
#endif
} knn_ctx;

static int call_knn_ours(void *ctx, size_t index)
{
    knn_ctx *c = ctx;
    (void)index;
    hogfeat_status st = hogfeat_knn_predict(c->model, c->f->test, c->f->test_rows, c->f->dim, c->f->dim,
                                            c->pred);
    return st == HOGFEAT_OK ? 0 : report_failure("hogfeat_knn_predict", st);
}

#ifdef HOGFEAT_BENCH_HAVE_OPENCV
static int call_knn_cv(void *ctx, size_t index)
{
    knn_ctx *c = ctx;
    (void)index;
    peer_cv_set_threads(c->threads);
    int rc = peer_cv_knn_predict(c->cv, c->f->test, c->f->test_rows, c->f->dim, KNN_K, c->pred);
    peer_cv_set_threads(1);
    if (rc != 0) {
        fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
        return 1;
    }
    return 0;
}
#endif

static int section_knn(const feature_set *f, const bench_data *data, const options *opt)
{
    contender c[4];
    knn_ctx kc[4];
    int n = 0, rc = 1, has_cv = 0;
    hogfeat_knn_params *params = NULL;
    hogfeat_knn *m1 = NULL, *m2 = NULL;
    memset(c, 0, sizeof c);
    memset(kc, 0, sizeof kc);
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_knn *cv = NULL;
    has_cv = 1;
#endif
    for (int k = 0; k < 4; k++) {
        kc[k].f = f;
        kc[k].pred = malloc(f->test_rows * sizeof *kc[k].pred);
        if (!kc[k].pred) {
            out_of_memory("predictions");
            goto done;
        }
    }
    hogfeat_status st = hogfeat_knn_params_create(&params);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_k(params, KNN_K);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_metric(params, HOGFEAT_METRIC_L2);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_threads(params, 1);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_fit(params, f->train, f->train_rows, f->dim, f->dim, f->train_labels, &m1);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_params_set_threads(params, 2);
    if (st == HOGFEAT_OK)
        st = hogfeat_knn_fit(params, f->train, f->train_rows, f->dim, f->dim, f->train_labels, &m2);
    if (st != HOGFEAT_OK) {
        report_failure("KNN fit", st);
        goto done;
    }
    kc[0].model = m1;
    kc[1].model = m2;
    c[n++] = make_contender("libhogfeat, 1 thread", call_knn_ours, &kc[0]);
    c[n++] = make_contender("libhogfeat, 2 threads", call_knn_ours, &kc[1]);
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    cv = peer_cv_knn_fit(f->train, f->train_rows, f->dim, f->train_labels, KNN_K);
    if (!cv) {
        fprintf(stderr, "bench-peers: %s\n", peer_cv_last_error());
        goto done;
    }
    kc[2].cv = kc[3].cv = cv;
    kc[2].threads = 1;
    kc[3].threads = 2;
    c[n++] = make_contender("OpenCV, 1 thread", call_knn_cv, &kc[2]);
    c[n++] = make_contender("OpenCV, 2 threads", call_knn_cv, &kc[3]);
#endif

    long reps = 0;
    long fits = opt->reps > 0 ? opt->reps : opt->quick ? 1 : FIT_REPS;
    if (run_contest(c, n, 1, 0, 0.0, 0, fits, opt, &reps, NULL) != 0)
        goto done;

    printf("\n== 5. KNN k = %d, L2, uniform votes: %zu queries x %zu rows x %zu features (%s) ==\n", KNN_K,
           f->test_rows, f->train_rows, f->dim, data->real ? "CMATERdb HOG" : "synthetic");
    printf("Fit (a copy of the rows) not timed; median of %ld predictions. OpenCV: ml::KNearest, "
           "BRUTE_FORCE, findNearest.\n",
           reps);
    printf("OpenCV rows are compared with libhogfeat at the same thread count; CPU time is summed over\n"
           "threads; cpu/wall = CPUs the call got.\n");
    printf("%-24s %9s %9s %8s %10s %9s %10s %10s\n", "library", "wall_s", "cpu_s", "cpu/wall", "queries/s",
           "test_acc", "ratio_wall", "ratio_cpu");
    for (int k = 0; k < n; k++) {
        printf("%-24s %9.3f %9.3f %8.2f %10.0f %8.2f%%", c[k].name, c[k].wall.median_s, c[k].cpu.median_s,
               c[k].cpu.median_s / c[k].wall.median_s, (double)f->test_rows / c[k].wall.median_s,
               accuracy(f->test_labels, kc[k].pred, f->test_rows));
        print_ratio(c[k].wall.median_s, c[k % 2].wall.median_s);
        print_ratio(c[k].cpu.median_s, c[k % 2].cpu.median_s);
        printf("\n");
    }
    if (!has_cv) {
        printf("%-24s %9s %9s %8s %10s %9s %10s %10s\n", "OpenCV, 1 thread", "n/a", "n/a", "n/a", "n/a", "n/a",
               "n/a", "n/a");
        printf("%-24s %9s %9s %8s %10s %9s %10s %10s\n", "OpenCV, 2 threads", "n/a", "n/a", "n/a", "n/a", "n/a",
               "n/a", "n/a");
    } else {
        printf("libhogfeat and OpenCV agree on %.2f%% of test predictions (tie rules differ).\n",
               accuracy(kc[0].pred, kc[2].pred, f->test_rows));
    }
    fflush(stdout);
    rc = 0;

done:
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    peer_cv_knn_destroy(cv);
#endif
    hogfeat_knn_destroy(m1);
    hogfeat_knn_destroy(m2);
    hogfeat_knn_params_destroy(params);
    for (int k = 0; k < 4; k++)
        free(kc[k].pred);
    free_contenders(c, n);
    return rc;
}

/* ---------------------------------------------------------------- header */

/* Which kernel table lib/kernels/dispatch.c picks: the best one this build
 * (HOGFEAT_BENCH_LIB_*, from lib/meson.build) and CPU provide, unless
 * HOGFEAT_SIMD names another available one. The public API does not report
 * it, so this repeats dispatch.c's rule. */
static const char *kernel_table(char *available, size_t cap)
{
    const char *names[3];
    int n = 0;
    names[n++] = "scalar";
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
#if defined(HOGFEAT_BENCH_LIB_SSE2)
    if (__builtin_cpu_supports("sse2"))
        names[n++] = "sse2";
#endif
#if defined(HOGFEAT_BENCH_LIB_AVX2)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        names[n++] = "avx2";
#endif
#endif
#if defined(HOGFEAT_BENCH_LIB_NEON)
    names[n++] = "neon"; /* baseline on aarch64: no run-time check */
#endif
    const char *chosen = names[n - 1];
    const char *want = getenv("HOGFEAT_SIMD");
    if (want && *want)
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], want) == 0)
                chosen = names[i];
    available[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(available);
        snprintf(available + used, cap - used, "%s%s", i ? " " : "", names[i]);
    }
    return chosen;
}

static void print_cpu(void)
{
    char line[256], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                const char *colon = strchr(line, ':');
                if (colon) {
                    snprintf(model, sizeof model, "%s", colon + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    char load[128] = "unknown";
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fgets(load, sizeof load, f))
            load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("CPU: %s, %ld online; load average at start: %s\n", model, sysconf(_SC_NPROCESSORS_ONLN), load);
}

static void print_header(const options *opt, const bench_data *data)
{
#ifdef NDEBUG
    const char *asserts = "NDEBUG defined";
#else
    const char *asserts = "NDEBUG not defined (assertions on)";
#endif
#ifdef __OPTIMIZE__
    const char *optimized = "optimised";
#else
    const char *optimized = "not optimised";
#endif
    printf("bench-peers: libhogfeat and reference libraries, measured in one run%s\n",
           opt->quick ? " (--quick: a smoke test, timings are not meaningful)" : "");
    printf("libhogfeat %s (headers %s), buildtype %s, bench compiled %s, %s\n", hogfeat_version_string(),
           HOGFEAT_VERSION_STRING, HOGFEAT_BENCH_BUILDTYPE, optimized, asserts);
    char available[64];
    const char *simd = getenv("HOGFEAT_SIMD");
    const char *table = kernel_table(available, sizeof available);
    printf("kernel table: %s (HOGFEAT_SIMD %s%s%s; tables built and runnable here: %s)\n", table,
           simd ? "= \"" : "unset", simd ? simd : "", simd ? "\"" : "", available);
#ifdef HOGFEAT_BENCH_HAVE_OPENCV
    int cv_default_threads = peer_cv_get_threads();
    peer_cv_set_threads(1);
    printf("OpenCV %s (headers %s), IPP %s, threads set to 1 (default %d) except where stated\n",
           peer_cv_version(), peer_cv_header_version(), peer_cv_uses_ipp() ? "on" : "off", cv_default_threads);
#else
    printf("OpenCV n/a (not found at configure time)\n");
#endif
#ifdef HOGFEAT_BENCH_HAVE_VLFEAT
    printf("VLFeat %s (headers %s), SIMD %s (its HOG code is plain C)\n", vl_get_version_string(),
           VL_VERSION_STRING, vl_get_simd_enabled() ? "enabled" : "disabled");
#else
    printf("VLFeat n/a (not found at configure time)\n");
#endif
#ifdef HOGFEAT_BENCH_HAVE_LIBLINEAR
    printf("LIBLINEAR %d.%02d (liblinear_version %d, header %d)\n", liblinear_version / 100,
           liblinear_version % 100, liblinear_version, LIBLINEAR_VERSION);
#else
    printf("LIBLINEAR n/a (not found at configure time)\n");
#endif
    print_cpu();
    printf("data: %s\n", data->source);
    printf("timing: contenders interleaved round by round; medians per call of wall time (CLOCK_MONOTONIC) and\n"
           "        of process CPU time (CLOCK_PROCESS_CPUTIME_ID, all threads; leaves out time other processes\n"
           "        held the CPU); ratios = peer time / libhogfeat time (> 1: libhogfeat faster)\n");
    fflush(stdout);
}

/* Loads CMATERdb from $HOGFEAT_DATA_DIR, else the configured directory. */
static void load_data(bench_data *data)
{
    memset(data, 0, sizeof *data);
    const char *dir = getenv("HOGFEAT_DATA_DIR");
    const char *from = "$HOGFEAT_DATA_DIR";
    if (!dir || !*dir) {
        dir = HOGFEAT_BENCH_DATA_DIR;
        from = "configured directory";
    }
    if (!*dir) {
        snprintf(data->source, sizeof data->source,
                 "synthetic digits and random features, 10 classes (no data directory configured)");
        return;
    }
    hogfeat_status st = hogfeat_dataset_load_mnist(dir, HOGFEAT_SPLIT_TRAIN, NULL, &data->train);
    if (st == HOGFEAT_OK)
        st = hogfeat_dataset_load_mnist(dir, HOGFEAT_SPLIT_TEST, NULL, &data->test);
    if (st == HOGFEAT_OK && (hogfeat_dataset_width(data->train) != DIGIT_SIDE ||
                             hogfeat_dataset_height(data->train) != DIGIT_SIDE ||
                             hogfeat_dataset_width(data->test) != DIGIT_SIDE ||
                             hogfeat_dataset_height(data->test) != DIGIT_SIDE ||
                             !hogfeat_dataset_labels(data->train) || !hogfeat_dataset_labels(data->test))) {
        snprintf(data->source, sizeof data->source,
                 "synthetic digits and random features, 10 classes (%s %s is not labelled 32x32 images)",
                 from, dir);
    } else if (st != HOGFEAT_OK) {
        snprintf(data->source, sizeof data->source,
                 "synthetic digits and random features, 10 classes (%s %s: %s: %s)", from, dir,
                 hogfeat_status_name((int)st), hogfeat_last_error_message());
    } else {
        data->real = 1;
        snprintf(data->source, sizeof data->source, "CMATERdb from %s %s (%zu train, %zu test images)", from,
                 dir, hogfeat_dataset_count(data->train), hogfeat_dataset_count(data->test));
        return;
    }
    hogfeat_dataset_destroy(data->train);
    hogfeat_dataset_destroy(data->test);
    data->train = data->test = NULL;
}

/* ---------------------------------------------------------------- options */

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: bench-peers [--quick] [--reps N] [--sections LIST] [--help]\n"
            "\n"
            "Times libhogfeat against OpenCV, VLFeat and LIBLINEAR in one run (peers not\n"
            "found at build time print n/a). Single-threaded unless a row says otherwise.\n"
            "  1 hog      HOG per image at 64x128, 640x480, 1920x1080: ns/pixel and peer/ours\n"
            "  2 scaling  libhogfeat ns/pixel 32x32 to 1920x1080; compute_batch 1 vs 2 threads\n"
            "  3 digits   %d 32x32 images, 4x4 cells: images/s\n"
            "  4 svm      linear SVM fit, %d x 1764: libhogfeat vs LIBLINEAR -s 1\n"
            "  5 knn      KNN k=3, %d queries x %d rows: libhogfeat vs OpenCV brute force\n"
            "\n"
            "  --quick          a few seconds in all: %d rounds per size, %d digits, %d x %d SVM,\n"
            "                   %d KNN queries; a smoke test, not a measurement\n"
            "  --reps N         timed samples per contender in every measurement (a sample groups\n"
            "                   calls shorter than 0.5 ms; a digit sample is a pass over all images)\n"
            "  --sections LIST  comma-separated subset of hog,scaling,digits,svm,knn (default all)\n"
            "  --help           this text\n"
            "\n"
            "Data: CMATERdb (MNIST IDX) from $HOGFEAT_DATA_DIR, else the directory configured\n"
            "at build time (" HOGFEAT_BENCH_DATA_DIR "); without it synthetic data.\n",
            DIGITS, TRAIN_ROWS, TEST_ROWS, TRAIN_ROWS, QUICK_REPS, QUICK_DIGITS, QUICK_TRAIN_ROWS,
            (int)1764, QUICK_TEST_ROWS);
}

static int parse_sections(const char *text, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"hog", SECTION_HOG},
                 {"scaling", SECTION_SCALING},
                 {"digits", SECTION_DIGITS},
                 {"svm", SECTION_SVM},
                 {"knn", SECTION_KNN},
                 {"all", SECTION_ALL}};
    unsigned bits = 0;
    const char *p = text;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        unsigned found = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == len && strncmp(p, names[i].name, len) == 0)
                found = names[i].bit;
        if (!found) {
            fprintf(stderr, "bench-peers: unknown section '%.*s' (hog, scaling, digits, svm, knn, all)\n",
                    (int)len, p);
            return 1;
        }
        bits |= found;
        p += len;
        if (*p == ',')
            p++;
    }
    if (!bits) {
        fprintf(stderr, "bench-peers: --sections needs at least one name\n");
        return 1;
    }
    *out = bits;
    return 0;
}

/* Returns 0 to run, 1 on a usage error, 2 after --help. */
static int parse_options(int argc, char **argv, options *opt)
{
    opt->quick = 0;
    opt->reps = 0;
    opt->sections = SECTION_ALL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout);
            return 2;
        } else if (strcmp(a, "--quick") == 0) {
            opt->quick = 1;
        } else if (strcmp(a, "--reps") == 0 || strncmp(a, "--reps=", 7) == 0) {
            value = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
            char *end = NULL;
            errno = 0;
            long v = value ? strtol(value, &end, 10) : 0;
            if (!value || end == value || *end != '\0' || errno != 0 || v < 1 || v > MAX_REPS) {
                fprintf(stderr, "bench-peers: --reps needs an integer in [1, %ld]\n", MAX_REPS);
                return 1;
            }
            opt->reps = v;
        } else if (strcmp(a, "--sections") == 0 || strncmp(a, "--sections=", 11) == 0) {
            value = a[10] == '=' ? a + 11 : i + 1 < argc ? argv[++i] : NULL;
            if (!value || parse_sections(value, &opt->sections) != 0)
                return 1;
        } else {
            fprintf(stderr, "bench-peers: unknown argument '%s'\n", a);
            print_usage(stderr);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    options opt;
    int parsed = parse_options(argc, argv, &opt);
    if (parsed != 0)
        return parsed == 2 ? 0 : 2;

    bench_data data;
    load_data(&data);
    print_header(&opt, &data);
    if (hogfeat_version_number() != HOGFEAT_VERSION_NUMBER)
        printf("warning: header version %d differs from library version %d\n", HOGFEAT_VERSION_NUMBER,
               hogfeat_version_number());

    rng r = {UINT64_C(0x243F6A8885A308D3)};
    hogfeat_hog_config *config8 = NULL, *config4 = NULL;
    feature_set features;
    memset(&features, 0, sizeof features);
    int rc = 0;
    hogfeat_status st = make_config(8, &config8);
    if (st == HOGFEAT_OK)
        st = make_config(4, &config4);
    if (st != HOGFEAT_OK) {
        rc = report_failure("HOG configuration", st);
        goto done;
    }

    section_clock sc;
    if (rc == 0 && (opt.sections & SECTION_HOG)) {
        sc = section_start();
        if ((rc = section_hog(config8, &opt, &r)) == 0)
            section_end(sc);
    }
    if (rc == 0 && (opt.sections & SECTION_SCALING)) {
        sc = section_start();
        if ((rc = section_scaling(config8, &opt, &r)) == 0)
            section_end(sc);
    }
    if (rc == 0 && (opt.sections & SECTION_DIGITS)) {
        sc = section_start();
        if ((rc = section_digits(config4, &data, &opt, &r)) == 0)
            section_end(sc);
    }
    if (rc == 0 && (opt.sections & (SECTION_SVM | SECTION_KNN)))
        rc = make_features(config4, &data, &opt, &r, &features);
    if (rc == 0 && (opt.sections & SECTION_SVM)) {
        sc = section_start();
        if ((rc = section_svm(&features, &data, &opt)) == 0)
            section_end(sc);
    }
    if (rc == 0 && (opt.sections & SECTION_KNN)) {
        sc = section_start();
        if ((rc = section_knn(&features, &data, &opt)) == 0)
            section_end(sc);
    }

done:
    features_free(&features);
    hogfeat_hog_config_destroy(config4);
    hogfeat_hog_config_destroy(config8);
    hogfeat_dataset_destroy(data.train);
    hogfeat_dataset_destroy(data.test);
    return rc;
}
