/* Shared helpers for the Check suites: fixed-seed RNG, synthetic images,
 * tolerance compares, test data lookup. */
#ifndef HOGFEAT_TESTS_COMMON_H
#define HOGFEAT_TESTS_COMMON_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hogfeat/hogfeat.h>

/* xorshift64*: deterministic across platforms. */
typedef struct test_rng {
    uint64_t state;
} test_rng;

static inline test_rng test_rng_seed(uint64_t seed)
{
    test_rng r = {seed ? seed : 0x9E3779B97F4A7C15ull};
    return r;
}

static inline uint64_t test_rng_next(test_rng *r)
{
    r->state ^= r->state >> 12;
    r->state ^= r->state << 25;
    r->state ^= r->state >> 27;
    return r->state * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, 1). */
static inline float test_rng_float(test_rng *r)
{
    return (float)(test_rng_next(r) >> 40) / (float)(1u << 24);
}

static inline uint32_t test_rng_below(test_rng *r, uint32_t n)
{
    return (uint32_t)(test_rng_next(r) % n);
}

/* Owned image filled with noise (u8: 0-255; f32: [0, 1)). Fails the test on error. */
static inline hogfeat_image *test_random_image(test_rng *r, hogfeat_format format, size_t w, size_t h)
{
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(format, w, h, &img), HOGFEAT_OK);
    size_t n = w * h * (size_t)hogfeat_image_channels(img);
    void *px = hogfeat_image_writable_data(img);
    if (format == HOGFEAT_FORMAT_U8_GRAY || format == HOGFEAT_FORMAT_U8_RGB) {
        uint8_t *p = px;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)test_rng_below(r, 256);
    } else {
        float *p = px;
        for (size_t i = 0; i < n; i++)
            p[i] = test_rng_float(r);
    }
    return img;
}

/* Largest |a[i] - b[i]|; NaN if either holds a NaN. */
static inline double test_max_abs_diff(const float *a, const float *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d != d)
            return NAN;
        if (d > worst)
            worst = d;
    }
    return worst;
}

/* Directory of committed fixtures (tests/data), from HOGFEAT_TEST_FIXTURES. */
static inline const char *test_fixture_dir(void)
{
    const char *d = getenv("HOGFEAT_TEST_FIXTURES");
    return d && *d ? d : "tests/data";
}

/* Directory of a dataset such as CMATERdb, from HOGFEAT_TEST_DATA; NULL if unset. */
static inline const char *test_dataset_dir(void)
{
    const char *d = getenv("HOGFEAT_TEST_DATA");
    return d && *d ? d : NULL;
}

/* Exit code meson (and automake) read as "skipped". */
#define TEST_SKIP_EXIT 77

/* Runs one suite; returns the process exit status. */
static inline int test_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* HOGFEAT_TESTS_COMMON_H */
