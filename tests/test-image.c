/* Image handles: create, wrap, getters, validation, limits, allocation failure. */
#include <stdalign.h>

#include "common.h"
#include "private.h"

/* ck_assert_msg records a checkpoint (a write to Check's log) on every pass;
 * hot loops use this instead, which only calls into Check on failure. */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#  include <malloc.h>
#  define HAVE_MALLINFO2 1
#endif

static const struct {
    hogfeat_format format;
    int channels;
    size_t sample_bytes;
    const char *name;
} formats[] = {
    {HOGFEAT_FORMAT_U8_GRAY, 1, 1, "U8_GRAY"},
    {HOGFEAT_FORMAT_U8_RGB, 3, 1, "U8_RGB"},
    {HOGFEAT_FORMAT_F32_GRAY, 1, 4, "F32_GRAY"},
    {HOGFEAT_FORMAT_F32_RGB, 3, 4, "F32_RGB"},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

/* A non-NULL pointer that must be overwritten with NULL on failure. */
static hogfeat_image *const POISON = (hogfeat_image *)(uintptr_t)0x5a5a5a50u;

/* Large, 16-byte aligned scratch buffer for wrap tests (never written by the library). */
static alignas(16) unsigned char scratch[4096];

/* Bytes currently allocated through malloc, where glibc can tell. */
static size_t heap_in_use(void)
{
#ifdef HAVE_MALLINFO2
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

/* ---- create ----------------------------------------------------------- */

START_TEST(test_create_all_formats)
{
    const size_t w = 13, h = 7;
    for (size_t f = 0; f < N_FORMATS; f++) {
        hogfeat_image *img = POISON;
        hogfeat_status st = hogfeat_image_create(formats[f].format, w, h, &img);
        ck_assert_msg(st == HOGFEAT_OK, "%s: create returned %d (%s)", formats[f].name, (int)st,
                      hogfeat_last_error_message());
        ck_assert_ptr_nonnull(img);
        ck_assert_ptr_ne(img, POISON);
        ck_assert_uint_eq(hogfeat_image_width(img), w);
        ck_assert_uint_eq(hogfeat_image_height(img), h);
        ck_assert_int_eq(hogfeat_image_channels(img), formats[f].channels);
        ck_assert_int_eq(hogfeat_image_format(img), (int)formats[f].format);
        size_t row = w * (size_t)formats[f].channels * formats[f].sample_bytes;
        ck_assert_msg(hogfeat_image_stride_bytes(img) == row, "%s: stride %zu, expected packed %zu",
                      formats[f].name, hogfeat_image_stride_bytes(img), row);
        const void *data = hogfeat_image_data(img);
        void *wdata = hogfeat_image_writable_data(img);
        ck_assert_ptr_nonnull(data);
        ck_assert_ptr_eq(wdata, data);
        if (formats[f].sample_bytes == 4)
            ck_assert_msg((uintptr_t)data % 4 == 0, "%s: float pixels at %p are misaligned", formats[f].name,
                          data);
        /* Zero-filled, every byte of every row. */
        const unsigned char *p = data;
        for (size_t i = 0; i < row * h; i++)
            CHECK(p[i] == 0, "%s: byte %zu is %u, expected 0", formats[f].name, i, (unsigned)p[i]);
        /* Writable: writes land in the readable data. */
        ((unsigned char *)wdata)[row * h - 1] = 0xAB;
        ck_assert_uint_eq(((const unsigned char *)hogfeat_image_data(img))[row * h - 1], 0xAB);
        hogfeat_image_destroy(img);
    }
}
END_TEST

START_TEST(test_create_zero_fill_after_reuse)
{
    /* Zero-filled even when the allocator hands back dirty memory. */
    for (int round = 0; round < 4; round++) {
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_RGB, 64, 32, &img), HOGFEAT_OK);
        float *p = hogfeat_image_writable_data(img);
        for (size_t i = 0; i < 64 * 32 * 3; i++) {
            CHECK(p[i] == 0.0f, "round %d: sample %zu is %g, expected 0", round, i, (double)p[i]);
            p[i] = -1.5f;
        }
        hogfeat_image_destroy(img);
    }
}
END_TEST

/* ---- wrap ------------------------------------------------------------- */

START_TEST(test_wrap_all_formats)
{
    const size_t w = 5, h = 6;
    for (size_t f = 0; f < N_FORMATS; f++) {
        size_t row = w * (size_t)formats[f].channels * formats[f].sample_bytes;
        size_t strides[] = {row, row + 4, row + 40};
        for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
            hogfeat_image *img = POISON;
            hogfeat_status st = hogfeat_image_wrap(scratch, formats[f].format, w, h, strides[s], &img);
            ck_assert_msg(st == HOGFEAT_OK, "%s stride %zu: wrap returned %d (%s)", formats[f].name, strides[s],
                          (int)st, hogfeat_last_error_message());
            ck_assert_ptr_nonnull(img);
            ck_assert_ptr_ne(img, POISON);
            ck_assert_uint_eq(hogfeat_image_width(img), w);
            ck_assert_uint_eq(hogfeat_image_height(img), h);
            ck_assert_int_eq(hogfeat_image_channels(img), formats[f].channels);
            ck_assert_int_eq(hogfeat_image_format(img), (int)formats[f].format);
            ck_assert_uint_eq(hogfeat_image_stride_bytes(img), strides[s]);
            ck_assert_ptr_eq(hogfeat_image_data(img), scratch);
            ck_assert_msg(hogfeat_image_writable_data(img) == NULL,
                          "%s: writable_data of a wrapped image is %p, expected NULL", formats[f].name,
                          hogfeat_image_writable_data(img));
            hogfeat_image_destroy(img);
        }
    }
}
END_TEST

START_TEST(test_wrap_stride_zero_is_packed)
{
    for (size_t f = 0; f < N_FORMATS; f++) {
        const size_t w = 9, h = 4;
        size_t row = w * (size_t)formats[f].channels * formats[f].sample_bytes;
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(scratch, formats[f].format, w, h, 0, &img), HOGFEAT_OK);
        ck_assert_msg(hogfeat_image_stride_bytes(img) == row, "%s: stride 0 gave %zu, expected packed %zu",
                      formats[f].name, hogfeat_image_stride_bytes(img), row);
        hogfeat_image_destroy(img);
    }
}
END_TEST

START_TEST(test_wrap_does_not_write)
{
    unsigned char copy[sizeof scratch];
    for (size_t i = 0; i < sizeof scratch; i++)
        scratch[i] = (unsigned char)(i * 7 + 3);
    memcpy(copy, scratch, sizeof copy);
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_U8_RGB, 20, 10, 64, &img), HOGFEAT_OK);
    hogfeat_image_destroy(img);
    ck_assert_msg(memcmp(copy, scratch, sizeof copy) == 0, "wrap/destroy modified the borrowed pixels");
}
END_TEST

/* ---- NULL handling ------------------------------------------------------ */

START_TEST(test_destroy_null)
{
    hogfeat_image_destroy(NULL); /* must not crash */
    ck_assert_uint_eq(hogfeat_image_width(NULL), 0);
    ck_assert_uint_eq(hogfeat_image_height(NULL), 0);
    ck_assert_int_eq(hogfeat_image_channels(NULL), 0);
    ck_assert_int_eq(hogfeat_image_format(NULL), 0);
    ck_assert_uint_eq(hogfeat_image_stride_bytes(NULL), 0);
    ck_assert_ptr_null(hogfeat_image_data(NULL));
    ck_assert_ptr_null(hogfeat_image_writable_data(NULL));
}
END_TEST

START_TEST(test_null_out_pointer)
{
    for (size_t f = 0; f < N_FORMATS; f++) {
        hogfeat_status st = hogfeat_image_create(formats[f].format, 4, 4, NULL);
        ck_assert_msg(st == HOGFEAT_ERR_NULL_POINTER, "%s: create(NULL out) returned %d", formats[f].name, (int)st);
        st = hogfeat_image_wrap(scratch, formats[f].format, 4, 4, 0, NULL);
        ck_assert_msg(st == HOGFEAT_ERR_NULL_POINTER, "%s: wrap(NULL out) returned %d", formats[f].name, (int)st);
        ck_assert_msg(hogfeat_last_error_message()[0] != '\0', "no message for a NULL out pointer");
    }
    /* NULL out wins over every other error. */
    ck_assert_int_eq(hogfeat_image_create((hogfeat_format)0, 0, 0, NULL), HOGFEAT_ERR_NULL_POINTER);
}
END_TEST

START_TEST(test_null_pixels)
{
    for (size_t f = 0; f < N_FORMATS; f++) {
        hogfeat_image *img = POISON;
        hogfeat_status st = hogfeat_image_wrap(NULL, formats[f].format, 4, 4, 0, &img);
        ck_assert_msg(st == HOGFEAT_ERR_NULL_POINTER, "%s: wrap(NULL pixels) returned %d", formats[f].name, (int)st);
        ck_assert_ptr_null(img);
    }
}
END_TEST

/* ---- validation ---------------------------------------------------------- */

START_TEST(test_unknown_format)
{
    const int bad[] = {0, 5, -1, 99};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hogfeat_image *img = POISON;
        hogfeat_status st = hogfeat_image_create((hogfeat_format)bad[i], 4, 4, &img);
        ck_assert_msg(st == HOGFEAT_ERR_UNSUPPORTED_FORMAT, "create(format %d) returned %d", bad[i], (int)st);
        ck_assert_ptr_null(img);
        img = POISON;
        st = hogfeat_image_wrap(scratch, (hogfeat_format)bad[i], 4, 4, 0, &img);
        ck_assert_msg(st == HOGFEAT_ERR_UNSUPPORTED_FORMAT, "wrap(format %d) returned %d", bad[i], (int)st);
        ck_assert_ptr_null(img);
    }
}
END_TEST

START_TEST(test_zero_size)
{
    const size_t sizes[][2] = {{0, 4}, {4, 0}, {0, 0}, {0, SIZE_MAX}};
    for (size_t f = 0; f < N_FORMATS; f++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            hogfeat_image *img = POISON;
            hogfeat_status st = hogfeat_image_create(formats[f].format, sizes[i][0], sizes[i][1], &img);
            ck_assert_msg(st == HOGFEAT_ERR_BAD_GEOMETRY, "%s: create(%zu x %zu) returned %d", formats[f].name,
                          sizes[i][0], sizes[i][1], (int)st);
            ck_assert_ptr_null(img);
            img = POISON;
            st = hogfeat_image_wrap(scratch, formats[f].format, sizes[i][0], sizes[i][1], 0, &img);
            ck_assert_msg(st == HOGFEAT_ERR_BAD_GEOMETRY, "%s: wrap(%zu x %zu) returned %d", formats[f].name,
                          sizes[i][0], sizes[i][1], (int)st);
            ck_assert_ptr_null(img);
        }
    }
}
END_TEST

START_TEST(test_pixel_limit)
{
    const size_t two31 = (size_t)1 << 31;
    const size_t limit = (size_t)1 << 28;
    ck_assert_uint_eq(hogfeat_image_max_pixels(), limit);
    const size_t sizes[][2] = {
        {two31, two31},     {SIZE_MAX, SIZE_MAX}, {SIZE_MAX, 1},         {1, SIZE_MAX},
        {limit + 1, 1},     {1, limit + 1},       {(1u << 14) + 1, 1u << 14}, {1u << 14, (1u << 14) + 1},
        {SIZE_MAX / 2 + 1, 2}, /* product wraps to 0 */
    };
    for (size_t f = 0; f < N_FORMATS; f++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            hogfeat_image *img = POISON;
            hogfeat_status st = hogfeat_image_create(formats[f].format, sizes[i][0], sizes[i][1], &img);
            ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: create(%zu x %zu) returned %d (%s)",
                          formats[f].name, sizes[i][0], sizes[i][1], (int)st, hogfeat_last_error_message());
            ck_assert_ptr_null(img);
            img = POISON;
            st = hogfeat_image_wrap(scratch, formats[f].format, sizes[i][0], sizes[i][1], 0, &img);
            ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: wrap(%zu x %zu) returned %d (%s)", formats[f].name,
                          sizes[i][0], sizes[i][1], (int)st, hogfeat_last_error_message());
            ck_assert_ptr_null(img);
        }
    }
    /* Exactly at the limit is accepted (wrap: no pixel memory is touched). */
    const size_t at[][2] = {{1u << 14, 1u << 14}, {limit, 1}, {1, limit}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        hogfeat_image *img = NULL;
        hogfeat_status st = hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_U8_GRAY, at[i][0], at[i][1], 0, &img);
        ck_assert_msg(st == HOGFEAT_OK, "wrap(%zu x %zu), exactly the limit, returned %d (%s)", at[i][0], at[i][1],
                      (int)st, hogfeat_last_error_message());
        hogfeat_image_destroy(img);
    }
}
END_TEST

START_TEST(test_stride_too_small)
{
    const size_t w = 10, h = 3;
    for (size_t f = 0; f < N_FORMATS; f++) {
        size_t row = w * (size_t)formats[f].channels * formats[f].sample_bytes;
        size_t sb = formats[f].sample_bytes;
        size_t bad[] = {row - sb, 1 * sb, row / 2 - (row / 2) % sb};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            hogfeat_image *img = POISON;
            hogfeat_status st = hogfeat_image_wrap(scratch, formats[f].format, w, h, bad[i], &img);
            ck_assert_msg(st == HOGFEAT_ERR_BAD_STRIDE, "%s: stride %zu < row %zu returned %d", formats[f].name,
                          bad[i], row, (int)st);
            ck_assert_ptr_null(img);
        }
        hogfeat_image *img = NULL;
        ck_assert_int_eq(hogfeat_image_wrap(scratch, formats[f].format, w, h, row, &img), HOGFEAT_OK);
        hogfeat_image_destroy(img);
    }
    /* A one-row image still needs a full row. */
    hogfeat_image *img = POISON;
    ck_assert_int_eq(hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_U8_GRAY, 10, 1, 9, &img), HOGFEAT_ERR_BAD_STRIDE);
    ck_assert_ptr_null(img);
}
END_TEST

START_TEST(test_float_alignment)
{
    const size_t w = 4, h = 3;
    for (size_t f = 0; f < N_FORMATS; f++) {
        size_t row = w * (size_t)formats[f].channels * formats[f].sample_bytes;
        int is_float = formats[f].sample_bytes == 4;
        hogfeat_status want = is_float ? HOGFEAT_ERR_BAD_STRIDE : HOGFEAT_OK;
        for (size_t off = 1; off < 4; off++) {
            hogfeat_image *img = POISON;
            hogfeat_status st = hogfeat_image_wrap(scratch + off, formats[f].format, w, h, 0, &img);
            ck_assert_msg(st == want, "%s: pointer offset %zu returned %d, expected %d", formats[f].name, off,
                          (int)st, (int)want);
            if (want != HOGFEAT_OK)
                ck_assert_ptr_null(img);
            hogfeat_image_destroy(st == HOGFEAT_OK ? img : NULL);

            img = POISON;
            st = hogfeat_image_wrap(scratch, formats[f].format, w, h, row + off, &img);
            ck_assert_msg(st == want, "%s: stride %zu (row %zu + %zu) returned %d, expected %d", formats[f].name,
                          row + off, row, off, (int)st, (int)want);
            if (want != HOGFEAT_OK)
                ck_assert_ptr_null(img);
            hogfeat_image_destroy(st == HOGFEAT_OK ? img : NULL);
        }
    }
}
END_TEST

START_TEST(test_stride_overflow)
{
    const struct {
        size_t w, h, stride;
    } cases[] = {
        {1, (size_t)1 << 20, SIZE_MAX / 1024},     /* (h - 1) * stride overflows */
        {1, 2, SIZE_MAX},                          /* stride alone is SIZE_MAX */
        {1, 3, SIZE_MAX / 2 + 1},                  /* 2 * stride wraps to 0 */
        {4, 2, (size_t)PTRDIFF_MAX - 3},           /* no wrap, but span > PTRDIFF_MAX */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hogfeat_image *img = POISON;
        hogfeat_status st = hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_U8_GRAY, cases[i].w, cases[i].h,
                                               cases[i].stride, &img);
        ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "case %zu (%zu x %zu, stride %zu) returned %d (%s)", i,
                      cases[i].w, cases[i].h, cases[i].stride, (int)st, hogfeat_last_error_message());
        ck_assert_ptr_null(img);
    }
    /* Float: an aligned huge stride overflows too (not reported as a stride error). */
    hogfeat_image *img = POISON;
    hogfeat_status st = hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_F32_GRAY, 1, (size_t)1 << 20,
                                           (SIZE_MAX / 1024) & ~(size_t)3, &img);
    ck_assert_msg(st == HOGFEAT_ERR_LIMIT_EXCEEDED, "f32 huge stride returned %d", (int)st);
    ck_assert_ptr_null(img);
}
END_TEST

/* ---- allocation failure ----------------------------------------------- */

static void create_with_failure(long nth, hogfeat_format format)
{
    hogfeat_image *img = POISON;
    hogfeat__test_alloc_fail_at(nth, 0);
    hogfeat_status st = hogfeat_image_create(format, 31, 17, &img);
    size_t failures = hogfeat__test_alloc_failures();
    hogfeat__test_alloc_reset();
    ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "allocation %ld failing: create returned %d", nth, (int)st);
    ck_assert_ptr_null(img);
    ck_assert_uint_eq(failures, 1);
}

START_TEST(test_alloc_failure)
{
    for (size_t f = 0; f < N_FORMATS; f++) {
        create_with_failure(1, formats[f].format);
        create_with_failure(2, formats[f].format);
    }
    /* Two allocations per create: the third never happens, so it succeeds. */
    hogfeat_image *img = NULL;
    hogfeat__test_alloc_fail_at(3, 0);
    hogfeat_status st = hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 31, 17, &img);
    size_t count = hogfeat__test_alloc_count();
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_OK);
    ck_assert_uint_eq(count, 2);
    hogfeat_image_destroy(img);

    /* wrap allocates its handle only. */
    img = POISON;
    hogfeat__test_alloc_fail_at(1, 0);
    st = hogfeat_image_wrap(scratch, HOGFEAT_FORMAT_U8_GRAY, 4, 4, 0, &img);
    hogfeat__test_alloc_reset();
    ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(img);
}
END_TEST

START_TEST(test_alloc_failure_no_leak)
{
    /* With glibc, heap use must not grow across many failing creates (the
     * first allocation's block would leak when the second fails); under
     * ASan this is LeakSanitizer's job and the count below stays 0. */
    for (long nth = 1; nth <= 2; nth++) {
        size_t before = heap_in_use();
        for (int i = 0; i < 200; i++) {
            hogfeat_image *img = POISON;
            hogfeat__test_alloc_fail_at(nth, 0);
            hogfeat_status st = hogfeat_image_create(HOGFEAT_FORMAT_F32_RGB, 40, 40, &img);
            hogfeat__test_alloc_reset();
            ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
            ck_assert_ptr_null(img);
        }
        size_t after = heap_in_use();
        /* One leaked handle per create would be >= 200 * 48 bytes; allow a
         * little slack for chunks glibc keeps in its thread cache. */
        ck_assert_msg(after <= before + 2048,
                      "failing allocation %ld: heap grew from %zu to %zu bytes over 200 creates", nth, before,
                      after);
    }
}
END_TEST

static Suite *image_suite(void)
{
    Suite *s = suite_create("image");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"create_all_formats", test_create_all_formats},
        {"create_zero_fill", test_create_zero_fill_after_reuse},
        {"wrap_all_formats", test_wrap_all_formats},
        {"wrap_stride_zero_packed", test_wrap_stride_zero_is_packed},
        {"wrap_does_not_write", test_wrap_does_not_write},
        {"destroy_null", test_destroy_null},
        {"null_out_pointer", test_null_out_pointer},
        {"null_pixels", test_null_pixels},
        {"unknown_format", test_unknown_format},
        {"zero_size", test_zero_size},
        {"pixel_limit", test_pixel_limit},
        {"stride_too_small", test_stride_too_small},
        {"float_alignment", test_float_alignment},
        {"stride_overflow", test_stride_overflow},
        {"alloc_failure", test_alloc_failure},
        {"alloc_failure_no_leak", test_alloc_failure_no_leak},
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
    return test_run_suite(image_suite());
}
