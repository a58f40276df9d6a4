/* bench-hog: wall-clock timing of hogfeat_hog_compute through the public API.
 *
 * Part 1 times u8 grayscale images of four sizes (8x8 cells, 2x2 blocks,
 * 9 bins, L2-Hys): warm-up calls, then R timed calls cycling through a pool
 * of distinct images, each call timed on its own with CLOCK_MONOTONIC; the
 * median and minimum per call are reported.
 * Part 2 times a batch of N synthetic 32x32 "digits" (4x4 cells, 2x2 blocks,
 * 9 bins, L2-Hys), one compute call per image in a single-threaded loop, and
 * reports images/s from the median pass over the whole batch.
 *
 * Images are deterministic (fixed-seed generator), so runs are comparable. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hogfeat/hogfeat.h>

#ifndef HOGFEAT_BENCH_BUILDTYPE
#define HOGFEAT_BENCH_BUILDTYPE "unknown"
#endif

/* Wall time one size should take when the repetition count is automatic. */
#define TARGET_SECONDS 0.5
/* Warm-up: at least this many calls and at least this long. */
#define WARMUP_CALLS 3
#define WARMUP_SECONDS 0.05
#define MIN_REPS 5
#define MAX_REPS 1000000
#define QUICK_REPS 3
#define QUICK_DIGITS 100
#define DEFAULT_DIGITS 6000
#define MAX_DIGITS 10000000L
#define DIGIT_SIDE 32
#define MIN_DIGIT_PASSES 3
#define MAX_DIGIT_PASSES 1000
/* Distinct images per size: about POOL_PIXELS pixels, at most MAX_POOL images. */
#define POOL_PIXELS (4u << 20)
#define MAX_POOL 64

typedef struct options {
    int quick;
    long reps;   /* 0: automatic */
    long digits; /* -1: default for the mode */
} options;

typedef struct rng {
    uint64_t state;
} rng;

typedef struct timing {
    double median_s;
    double min_s;
} timing;

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
    /* CLOCK_MONOTONIC cannot fail on POSIX systems that define it. */
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
    fprintf(stderr, "bench-hog: %s failed: %s (%s): %s\n", what, hogfeat_status_name((int)status),
            hogfeat_strerror((int)status), hogfeat_last_error_message());
    return 1;
}

/* A textured natural-looking frame: two triangle-wave ramps, a few hard
 * rectangle edges and +-12 grey levels of noise, so nearly every pixel has a
 * gradient in a generic direction (the full orientation path). The pattern
 * is shifted by phase pixels, so frames of one size differ beyond the noise. */
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

/* A digit-like 32x32 image: 2 to 4 thick anti-aliased white strokes on black,
 * kept inside the central 20x20 box as in MNIST. */
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
                /* Squared distance from the pixel centre to the segment. */
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
        px = qx; /* strokes join end to start, like a pen trace */
        py = qy;
    }
}

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

static long clamp_reps(double wanted, long lo, long hi)
{
    if (!(wanted >= (double)lo))
        return lo;
    if (wanted >= (double)hi)
        return hi;
    return (long)wanted;
}

/* Number of distinct images one size cycles through: about POOL_PIXELS in
 * all, between 1 and MAX_POOL. Timing one image over and over lets the
 * branch predictor learn its pixel-dependent branches, which real workloads
 * never see; on small sizes that flatters the time by about 2x. */
static size_t pool_size(size_t width, size_t height)
{
    size_t n = POOL_PIXELS / (width * height);
    return n < 1 ? 1 : n > MAX_POOL ? MAX_POOL : n;
}

/* Times one image size; prints one table row. Returns the process exit code. */
static int bench_size(const hogfeat_hog_config *config, size_t width, size_t height, const options *opt,
                      rng *r)
{
    char label[32];
    snprintf(label, sizeof label, "%zux%zu", width, height);
    const size_t npx = width * height, pool = pool_size(width, height);
    int rc = 1;
    size_t made = 0, length = 0;
    uint8_t *pixels = malloc(pool * npx);
    hogfeat_image *images[MAX_POOL] = {NULL};
    float *features = NULL;
    double *samples = NULL;
    hogfeat_status st;

    if (!pixels) {
        fprintf(stderr, "bench-hog: out of memory for %zu %s images\n", pool, label);
        goto done;
    }
    for (; made < pool; made++) {
        fill_textured(pixels + made * npx, width, height, made * 37, r);
        st = hogfeat_image_wrap(pixels + made * npx, HOGFEAT_FORMAT_U8_GRAY, width, height, width,
                                &images[made]);
        if (st != HOGFEAT_OK) {
            rc = report_failure("hogfeat_image_wrap", st);
            goto done;
        }
    }
    st = hogfeat_hog_feature_length(config, width, height, &length);
    if (st != HOGFEAT_OK) {
        rc = report_failure("hogfeat_hog_feature_length", st);
        goto done;
    }
    features = malloc(length * sizeof *features);
    if (!features) {
        fprintf(stderr, "bench-hog: out of memory for %zu features\n", length);
        goto done;
    }

    /* Warm-up; the calls after the first (cold) one estimate the cost of a call. */
    long warm_calls = 0;
    double warm_start = now_seconds(), after_first = warm_start, elapsed = 0.0;
    for (;;) {
        st = hogfeat_hog_compute(config, images[(size_t)warm_calls % pool], features, length);
        if (st != HOGFEAT_OK) {
            rc = report_failure("hogfeat_hog_compute", st);
            goto done;
        }
        double now = now_seconds();
        if (warm_calls++ == 0)
            after_first = now;
        elapsed = now - warm_start;
        if (opt->quick || (warm_calls >= WARMUP_CALLS && elapsed >= WARMUP_SECONDS))
            break;
    }
    double per_call = warm_calls > 1 ? (warm_start + elapsed - after_first) / (double)(warm_calls - 1)
                                     : elapsed;

    long reps = opt->reps > 0      ? opt->reps
                : opt->quick       ? QUICK_REPS
                                   : clamp_reps(TARGET_SECONDS / per_call, MIN_REPS, MAX_REPS);
    samples = malloc((size_t)reps * sizeof *samples);
    if (!samples) {
        fprintf(stderr, "bench-hog: out of memory for %ld samples\n", reps);
        goto done;
    }
    for (long i = 0; i < reps; i++) {
        const hogfeat_image *image = images[(size_t)i % pool];
        double t0 = now_seconds();
        st = hogfeat_hog_compute(config, image, features, length);
        double t1 = now_seconds();
        if (st != HOGFEAT_OK) {
            rc = report_failure("hogfeat_hog_compute", st);
            goto done;
        }
        samples[i] = t1 - t0;
    }
    timing t = summarise(samples, (size_t)reps);
    printf("%-14s %8ld %11.2f %10.2f %8.2f %8zu %6zu\n", label, reps, t.median_s * 1e6, t.min_s * 1e6,
           t.median_s * 1e9 / (double)npx, length, pool);
    fflush(stdout);
    rc = 0;

done:
    for (size_t i = 0; i < made; i++)
        hogfeat_image_destroy(images[i]);
    free(samples);
    free(features);
    free(pixels);
    return rc;
}

/* Times N digit images; prints a table row and the images/s line. */
static int bench_digits(const hogfeat_hog_config *config, size_t count, const options *opt, rng *r)
{
    const size_t side = DIGIT_SIDE, npx = DIGIT_SIDE * DIGIT_SIDE;
    int rc = 1;
    size_t made = 0, length = 0;
    uint8_t *pixels = malloc(count * npx);
    hogfeat_image **images = calloc(count, sizeof *images);
    float *features = NULL;
    double *samples = NULL;
    hogfeat_status st;

    if (!pixels || !images) {
        fprintf(stderr, "bench-hog: out of memory for %zu digit images\n", count);
        goto done;
    }
    for (; made < count; made++) {
        fill_digit(pixels + made * npx, r);
        st = hogfeat_image_wrap(pixels + made * npx, HOGFEAT_FORMAT_U8_GRAY, side, side, side,
                                &images[made]);
        if (st != HOGFEAT_OK) {
            rc = report_failure("hogfeat_image_wrap", st);
            goto done;
        }
    }
    st = hogfeat_hog_feature_length(config, side, side, &length);
    if (st != HOGFEAT_OK) {
        rc = report_failure("hogfeat_hog_feature_length", st);
        goto done;
    }
    /* One reused output buffer: the loop measures extraction, not memory traffic. */
    features = malloc(length * sizeof *features);
    if (!features) {
        fprintf(stderr, "bench-hog: out of memory for %zu features\n", length);
        goto done;
    }

    /* Warm-up pass over (up to) the first 500 images. */
    size_t warm = count < 500 ? count : 500;
    double w0 = now_seconds();
    for (size_t i = 0; i < warm; i++) {
        st = hogfeat_hog_compute(config, images[i], features, length);
        if (st != HOGFEAT_OK) {
            rc = report_failure("hogfeat_hog_compute", st);
            goto done;
        }
    }
    double per_pass = (now_seconds() - w0) / (double)warm * (double)count;

    long passes = opt->reps > 0 ? (opt->reps < MAX_DIGIT_PASSES ? opt->reps : MAX_DIGIT_PASSES)
                  : opt->quick  ? 1
                                : clamp_reps(TARGET_SECONDS / per_pass, MIN_DIGIT_PASSES, MAX_DIGIT_PASSES);
    samples = malloc((size_t)passes * sizeof *samples);
    if (!samples) {
        fprintf(stderr, "bench-hog: out of memory for %ld samples\n", passes);
        goto done;
    }
    for (long p = 0; p < passes; p++) {
        double t0 = now_seconds();
        for (size_t i = 0; i < count; i++) {
            st = hogfeat_hog_compute(config, images[i], features, length);
            if (st != HOGFEAT_OK) {
                rc = report_failure("hogfeat_hog_compute", st);
                goto done;
            }
        }
        samples[p] = now_seconds() - t0;
    }
    timing t = summarise(samples, (size_t)passes);
    double per_image = t.median_s / (double)count;
    printf("%-14s %8ld %11.2f %10.2f %8.2f %8zu %6zu  (reps = passes over the batch; times per image)\n",
           "digits-32x32", passes, per_image * 1e6, t.min_s / (double)count * 1e6,
           per_image * 1e9 / (double)npx, length, count);
    printf("digits-32x32: %zu images, %.0f images/s\n", count, (double)count / t.median_s);
    rc = 0;

done:
    if (images)
        for (size_t i = 0; i < made; i++)
            hogfeat_image_destroy(images[i]);
    free(images);
    free(samples);
    free(features);
    free(pixels);
    return rc;
}

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: bench-hog [--quick] [--reps N] [--digits N] [--help]\n"
            "\n"
            "Times hogfeat_hog_compute on u8 grayscale images, single-threaded.\n"
            "  sizes 32x32, 64x128, 640x480, 1920x1080: 8x8 cells, 2x2 blocks, 9 bins, L2-Hys\n"
            "  digits: a batch of synthetic 32x32 strokes, 4x4 cells, 2x2 blocks, 9 bins, L2-Hys\n"
            "\n"
            "  --quick     one warm-up call and %d timed calls per size, one pass over\n"
            "              %d digits (unless --digits is given); a smoke test, not a measurement\n"
            "  --reps N    timed calls for every size (the same N for all), and passes over\n"
            "              the digit batch (at most %d);\n"
            "              default: enough for about %.1f s per size\n"
            "  --digits N  images in the digit batch (default %d; 0 skips it)\n"
            "  --help      this text\n"
            "\n"
            "Columns: median_us and min_us per call (per image for digits), ns/px from the median,\n"
            "feat = descriptor length in floats, imgs = distinct images cycled through (so the\n"
            "branch predictor cannot learn one image's pixels).\n",
            QUICK_REPS, QUICK_DIGITS, MAX_DIGIT_PASSES, TARGET_SECONDS, DEFAULT_DIGITS);
}

/* Parses a count in [min, max]; returns 0 on success. */
static int parse_count(const char *name, const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || end == text || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "bench-hog: %s needs an integer in [%ld, %ld], not '%s'\n", name, min, max,
                text ? text : "");
        return 1;
    }
    *out = v;
    return 0;
}

/* Returns 0 to run, 1 on a usage error, 2 after --help. */
static int parse_options(int argc, char **argv, options *opt)
{
    opt->quick = 0;
    opt->reps = 0;
    opt->digits = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout);
            return 2;
        } else if (strcmp(a, "--quick") == 0) {
            opt->quick = 1;
        } else if (strcmp(a, "--reps") == 0 || strcmp(a, "--digits") == 0) {
            long *dst = a[2] == 'r' ? &opt->reps : &opt->digits;
            long min = a[2] == 'r' ? 1 : 0, max = a[2] == 'r' ? MAX_REPS : MAX_DIGITS;
            if (parse_count(a, i + 1 < argc ? argv[i + 1] : NULL, min, max, dst) != 0)
                return 1;
            i++;
        } else if (strncmp(a, "--reps=", 7) == 0) {
            if (parse_count("--reps", a + 7, 1, MAX_REPS, &opt->reps) != 0)
                return 1;
        } else if (strncmp(a, "--digits=", 9) == 0) {
            if (parse_count("--digits", a + 9, 0, MAX_DIGITS, &opt->digits) != 0)
                return 1;
        } else {
            fprintf(stderr, "bench-hog: unknown argument '%s'\n", a);
            print_usage(stderr);
            return 1;
        }
    }
    if (opt->digits < 0)
        opt->digits = opt->quick ? QUICK_DIGITS : DEFAULT_DIGITS;
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t sizes[][2] = {{32, 32}, {64, 128}, {640, 480}, {1920, 1080}};
    options opt;
    int parsed = parse_options(argc, argv, &opt);
    if (parsed != 0)
        return parsed == 2 ? 0 : 2;

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
    printf("libhogfeat %s (headers %s), buildtype %s, bench compiled %s, %s%s\n", hogfeat_version_string(),
           HOGFEAT_VERSION_STRING, HOGFEAT_BENCH_BUILDTYPE, optimized, asserts,
           opt.quick ? ", --quick: timings are not meaningful" : "");
    if (hogfeat_version_number() != HOGFEAT_VERSION_NUMBER)
        printf("warning: header version %d differs from library version %d\n", HOGFEAT_VERSION_NUMBER,
               hogfeat_version_number());

    rng r = {UINT64_C(0x243F6A8885A308D3)};
    hogfeat_hog_config *config8 = NULL, *config4 = NULL;
    int rc = 0;
    hogfeat_status st = make_config(8, &config8);
    if (st != HOGFEAT_OK) {
        rc = report_failure("HOG configuration (8x8 cells)", st);
        goto done;
    }
    st = make_config(4, &config4);
    if (st != HOGFEAT_OK) {
        rc = report_failure("HOG configuration (4x4 cells)", st);
        goto done;
    }

    printf("%-14s %8s %11s %10s %8s %8s %6s\n", "size", "reps", "median_us", "min_us", "ns/px", "feat",
           "imgs");
    fflush(stdout);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && rc == 0; i++)
        rc = bench_size(config8, sizes[i][0], sizes[i][1], &opt, &r);
    if (rc == 0 && opt.digits > 0)
        rc = bench_digits(config4, (size_t)opt.digits, &opt, &r);

done:
    hogfeat_hog_config_destroy(config4);
    hogfeat_hog_config_destroy(config8);
    return rc;
}
