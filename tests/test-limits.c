/* Input limits: documented defaults, set/get, rejected values, NULL handles
 * and allocation failure. */
#include "common.h"
#include "private.h"

static hogfeat_limits *const POISON = (hogfeat_limits *)(uintptr_t)0x5a5a5a50u;

static const hogfeat_limit all_limits[] = {
    HOGFEAT_LIMIT_MAX_PIXELS,   HOGFEAT_LIMIT_MAX_ITEMS,   HOGFEAT_LIMIT_MAX_CLASSES,
    HOGFEAT_LIMIT_MAX_FEATURES, HOGFEAT_LIMIT_MAX_SAMPLES, HOGFEAT_LIMIT_MAX_TOTAL_BYTES,
};
#define N_LIMITS (sizeof all_limits / sizeof all_limits[0])

/* The defaults as limits.h documents them. */
static size_t documented_default(hogfeat_limit which)
{
    switch (which) {
    case HOGFEAT_LIMIT_MAX_PIXELS: return (size_t)1 << 28;
    case HOGFEAT_LIMIT_MAX_ITEMS: return (size_t)1 << 24;
    case HOGFEAT_LIMIT_MAX_CLASSES: return 65536;
    case HOGFEAT_LIMIT_MAX_FEATURES: return (size_t)1 << 24;
    case HOGFEAT_LIMIT_MAX_SAMPLES: return (size_t)1 << 24;
    case HOGFEAT_LIMIT_MAX_TOTAL_BYTES:
        /* 2^33 does not fit a 32-bit size_t; the whole address space then. */
        return SIZE_MAX >> 32 == 0 ? SIZE_MAX : (size_t)((uint64_t)1 << 33);
    }
    return 0;
}

START_TEST(test_pinned_values)
{
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_PIXELS, 1);
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_ITEMS, 2);
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_CLASSES, 3);
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_FEATURES, 4);
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_SAMPLES, 5);
    ck_assert_int_eq(HOGFEAT_LIMIT_MAX_TOTAL_BYTES, 6);
}
END_TEST

START_TEST(test_defaults)
{
    hogfeat_limits *lim = POISON;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_ptr_nonnull(lim);
    ck_assert_ptr_ne(lim, POISON);
    for (size_t i = 0; i < N_LIMITS; i++) {
        size_t want = documented_default(all_limits[i]);
        ck_assert_msg(hogfeat_limits_get(NULL, all_limits[i]) == want, "limit %d: default (NULL) is %zu, expected %zu",
                      (int)all_limits[i], hogfeat_limits_get(NULL, all_limits[i]), want);
        ck_assert_msg(hogfeat_limits_get(lim, all_limits[i]) == want, "limit %d: new handle holds %zu, expected %zu",
                      (int)all_limits[i], hogfeat_limits_get(lim, all_limits[i]), want);
    }
    /* The pixel limit matches the image API's hard maximum. */
    ck_assert_uint_eq(hogfeat_limits_get(NULL, HOGFEAT_LIMIT_MAX_PIXELS), hogfeat_image_max_pixels());
    hogfeat_limits_destroy(lim);
}
END_TEST

START_TEST(test_set_get)
{
    hogfeat_limits *a = NULL, *b = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&a), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_create(&b), HOGFEAT_OK);
    for (size_t i = 0; i < N_LIMITS; i++) {
        const size_t values[] = {1, 2, 1000, documented_default(all_limits[i]) - 1, documented_default(all_limits[i])};
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            ck_assert_int_eq(hogfeat_limits_set(a, all_limits[i], values[v]), HOGFEAT_OK);
            ck_assert_uint_eq(hogfeat_limits_get(a, all_limits[i]), values[v]);
        }
        ck_assert_int_eq(hogfeat_limits_set(a, all_limits[i], 7 + i), HOGFEAT_OK);
    }
    /* Each limit kept its own value; the other handle and the defaults are untouched. */
    for (size_t i = 0; i < N_LIMITS; i++) {
        ck_assert_uint_eq(hogfeat_limits_get(a, all_limits[i]), 7 + i);
        ck_assert_uint_eq(hogfeat_limits_get(b, all_limits[i]), documented_default(all_limits[i]));
        ck_assert_uint_eq(hogfeat_limits_get(NULL, all_limits[i]), documented_default(all_limits[i]));
    }
    /* Limits other than the pixel one may be raised above their defaults, to SIZE_MAX. */
    for (size_t i = 1; i < N_LIMITS; i++) {
        ck_assert_int_eq(hogfeat_limits_set(b, all_limits[i], SIZE_MAX), HOGFEAT_OK);
        ck_assert_uint_eq(hogfeat_limits_get(b, all_limits[i]), SIZE_MAX);
    }
    hogfeat_limits_destroy(a);
    hogfeat_limits_destroy(b);
}
END_TEST

START_TEST(test_invalid_which)
{
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    const int bad[] = {0, 7, -1, 100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hogfeat_limit which = (hogfeat_limit)bad[i];
        ck_assert_msg(hogfeat_limits_set(lim, which, 5) == HOGFEAT_ERR_INVALID_ARGUMENT, "set(%d) accepted", bad[i]);
        ck_assert_msg(strstr(hogfeat_last_error_message(), "not a hogfeat_limit") != NULL, "message: %s",
                      hogfeat_last_error_message());
        ck_assert_msg(hogfeat_limits_get(lim, which) == 0, "get(handle, %d) = %zu, expected 0", bad[i],
                      hogfeat_limits_get(lim, which));
        ck_assert_msg(hogfeat_limits_get(NULL, which) == 0, "get(NULL, %d) = %zu, expected 0", bad[i],
                      hogfeat_limits_get(NULL, which));
    }
    /* Nothing changed. */
    for (size_t i = 0; i < N_LIMITS; i++)
        ck_assert_uint_eq(hogfeat_limits_get(lim, all_limits[i]), documented_default(all_limits[i]));
    hogfeat_limits_destroy(lim);
}
END_TEST

START_TEST(test_invalid_values)
{
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    for (size_t i = 0; i < N_LIMITS; i++) {
        ck_assert_int_eq(hogfeat_limits_set(lim, all_limits[i], 123), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_limits_set(lim, all_limits[i], 0), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "at least 1"));
        ck_assert_uint_eq(hogfeat_limits_get(lim, all_limits[i]), 123);
    }
    /* The pixel limit cannot be raised above the image maximum of 2^28. */
    const size_t above[] = {((size_t)1 << 28) + 1, (size_t)1 << 29, SIZE_MAX};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, above[i]), HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "pixel limit"));
        ck_assert_uint_eq(hogfeat_limits_get(lim, HOGFEAT_LIMIT_MAX_PIXELS), 123);
    }
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, (size_t)1 << 28), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_limits_get(lim, HOGFEAT_LIMIT_MAX_PIXELS), (size_t)1 << 28);
    hogfeat_limits_destroy(lim);
}
END_TEST

START_TEST(test_null_handle)
{
    ck_assert_int_eq(hogfeat_limits_create(NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "out_limits"));
    /* A NULL handle is not the defaults for a setter. */
    for (size_t i = 0; i < N_LIMITS; i++)
        ck_assert_int_eq(hogfeat_limits_set(NULL, all_limits[i], 10), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_limits_set(NULL, (hogfeat_limit)0, 0), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_uint_eq(hogfeat_limits_get(NULL, HOGFEAT_LIMIT_MAX_ITEMS), (size_t)1 << 24);
    hogfeat_limits_destroy(NULL);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_limits *lim = POISON;
    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_limits_create(&lim);
    size_t failures = hogfeat__test_alloc_failures();
    hogfeat__test_alloc_fail_at(0, 0);
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_uint_eq(failures, 1);
    ck_assert_ptr_null(lim);
    hogfeat__test_alloc_fail_at(2, 0);
    st = hogfeat_limits_create(&lim);
    hogfeat__test_alloc_fail_at(0, 0);
    ck_assert_int_eq(st, HOGFEAT_OK);
    hogfeat_limits_destroy(lim);
}
END_TEST

START_TEST(test_limits_reach_readers)
{
    /* A limits handle is honoured by a reader, and NULL means the defaults:
     * a 2x2 PGM passes by default and fails with a 3-pixel limit. */
    static const unsigned char pgm[] = "P5 2 2 255\n\1\2\3\4";
    hogfeat_image *im = NULL;
    ck_assert_int_eq(hogfeat_pgm_read(pgm, sizeof pgm - 1, NULL, &im), HOGFEAT_OK);
    hogfeat_image_destroy(im);
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pgm_read(pgm, sizeof pgm - 1, lim, &im), HOGFEAT_OK);
    hogfeat_image_destroy(im);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_PIXELS, 3), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pgm_read(pgm, sizeof pgm - 1, lim, &im), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_ptr_null(im);
    hogfeat_limits_destroy(lim);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"pinned_values", test_pinned_values}, {"defaults", test_defaults},
        {"set_get", test_set_get},             {"invalid_which", test_invalid_which},
        {"invalid_values", test_invalid_values}, {"null_handle", test_null_handle},
        {"alloc_failure", test_alloc_failure}, {"limits_reach_readers", test_limits_reach_readers},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return test_run_suite(limits_suite());
}
