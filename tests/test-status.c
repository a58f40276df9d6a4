/* Status codes, their names and messages, the thread-local error message,
 * and the version functions. */
#include <limits.h>
#include <pthread.h>

#include "common.h"
#include "private.h"

/* Every code of include/hogfeat/status.h, with its constant's name spelled
 * by the preprocessor so a renamed constant or a wrong table entry shows. */
#define ENTRY(code) {code, #code}
static const struct {
    int code;
    const char *name;
} known_codes[] = {
    ENTRY(HOGFEAT_OK),
    ENTRY(HOGFEAT_ERR_INVALID_ARGUMENT),
    ENTRY(HOGFEAT_ERR_NULL_POINTER),
    ENTRY(HOGFEAT_ERR_OUT_OF_MEMORY),
    ENTRY(HOGFEAT_ERR_BUFFER_TOO_SMALL),
    ENTRY(HOGFEAT_ERR_IMAGE_TOO_SMALL),
    ENTRY(HOGFEAT_ERR_BAD_GEOMETRY),
    ENTRY(HOGFEAT_ERR_BAD_STRIDE),
    ENTRY(HOGFEAT_ERR_UNSUPPORTED_FORMAT),
    ENTRY(HOGFEAT_ERR_NONFINITE),
    ENTRY(HOGFEAT_ERR_LIMIT_EXCEEDED),
    ENTRY(HOGFEAT_ERR_IO),
    ENTRY(HOGFEAT_ERR_CORRUPT_DATA),
    ENTRY(HOGFEAT_ERR_VERSION_MISMATCH),
    ENTRY(HOGFEAT_ERR_DIMENSION_MISMATCH),
    ENTRY(HOGFEAT_ERR_BAD_TRAINING_SET),
    ENTRY(HOGFEAT_ERR_CHECKSUM),
    ENTRY(HOGFEAT_ERR_CANCELLED),
    ENTRY(HOGFEAT_ERR_MODEL_KIND),
};
#undef ENTRY
#define N_KNOWN ((int)(sizeof known_codes / sizeof known_codes[0]))

/* ---- names and messages ----------------------------------------------- */

START_TEST(test_known_codes)
{
    for (int i = 0; i < N_KNOWN; i++) {
        /* Values are pinned and dense from 0. */
        ck_assert_msg(known_codes[i].code == i, "%s is %d, expected %d", known_codes[i].name,
                      known_codes[i].code, i);
        const char *msg = hogfeat_strerror(i);
        ck_assert_msg(msg != NULL, "hogfeat_strerror(%d) is NULL", i);
        ck_assert_msg(msg[0] != '\0', "hogfeat_strerror(%d) is empty", i);
        ck_assert_msg(strcmp(msg, "unknown status code") != 0,
                      "hogfeat_strerror(%d) is the generic text", i);
        const char *name = hogfeat_status_name(i);
        ck_assert_msg(name != NULL, "hogfeat_status_name(%d) is NULL", i);
        ck_assert_msg(strcmp(name, known_codes[i].name) == 0, "hogfeat_status_name(%d) = \"%s\", expected \"%s\"",
                      i, name, known_codes[i].name);
    }
    /* Messages are distinct: a copy-pasted table entry would show here. */
    for (int i = 0; i < N_KNOWN; i++)
        for (int j = i + 1; j < N_KNOWN; j++)
            ck_assert_msg(strcmp(hogfeat_strerror(i), hogfeat_strerror(j)) != 0,
                          "codes %d and %d share the message \"%s\"", i, j, hogfeat_strerror(i));
}
END_TEST

START_TEST(test_unknown_codes)
{
    const int unknown[] = {-1, N_KNOWN, N_KNOWN + 1, 1000, INT_MAX, INT_MIN, INT_MIN + 1};
    const char *generic = hogfeat_strerror(-1);
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        int code = unknown[i];
        const char *msg = hogfeat_strerror(code);
        const char *name = hogfeat_status_name(code);
        ck_assert_msg(msg != NULL, "hogfeat_strerror(%d) is NULL", code);
        ck_assert_msg(msg[0] != '\0', "hogfeat_strerror(%d) is empty", code);
        ck_assert_msg(strcmp(msg, generic) == 0, "hogfeat_strerror(%d) = \"%s\", expected the generic \"%s\"",
                      code, msg, generic);
        ck_assert_msg(name != NULL, "hogfeat_status_name(%d) is NULL", code);
        ck_assert_msg(strcmp(name, "HOGFEAT_ERR_UNKNOWN") == 0,
                      "hogfeat_status_name(%d) = \"%s\", expected \"HOGFEAT_ERR_UNKNOWN\"", code, name);
    }
    /* The generic text is not any known code's text. */
    for (int i = 0; i < N_KNOWN; i++)
        ck_assert_msg(strcmp(hogfeat_strerror(i), generic) != 0, "code %d has the generic text \"%s\"", i,
                      generic);
}
END_TEST

/* ---- last error message -------------------------------------------------- */

START_TEST(test_last_error_sticky)
{
    const char *m0 = hogfeat_last_error_message();
    ck_assert_msg(m0 != NULL, "hogfeat_last_error_message() is NULL before any failure");

    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 4242), HOGFEAT_ERR_INVALID_ARGUMENT);
    const char *m1 = hogfeat_last_error_message();
    ck_assert_msg(m1 != NULL && m1[0] != '\0', "no message after a failing call");
    ck_assert_msg(strstr(m1, "4242") != NULL, "message \"%s\" does not name the bad value 4242", m1);
    char saved[512];
    snprintf(saved, sizeof saved, "%s", m1);

    /* Successful calls of every kind leave it alone. */
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, 12), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 32, 32, &img), HOGFEAT_OK);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 32, 32, &len), HOGFEAT_OK);
    float *out = malloc(len * sizeof *out);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(hogfeat_hog_compute(cfg, img, out, len), HOGFEAT_OK);
    (void)hogfeat_strerror(3);
    const char *m2 = hogfeat_last_error_message();
    ck_assert_msg(m2 != NULL && strcmp(m2, saved) == 0,
                  "successful calls changed the message from \"%s\" to \"%s\"", saved, m2 ? m2 : "(null)");

    hogfeat_image_destroy(img);

    /* The next failure replaces it. */
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 0, 7, &img), HOGFEAT_ERR_BAD_GEOMETRY);
    const char *m3 = hogfeat_last_error_message();
    ck_assert_msg(strcmp(m3, saved) != 0, "a second failure kept the old message \"%s\"", m3);
    ck_assert_msg(strstr(m3, "0x7") != NULL, "message \"%s\" does not mention the size 0x7", m3);

    free(out);
    hogfeat_hog_config_destroy(cfg);
}
END_TEST

/* Two threads interleaved with barriers:
 *   B: record the fresh message, fail (value 777), record   | barrier 1
 *   A: fail (value 555), record                             | barrier 2
 *   B: record again (must still be its own 777 message). */
typedef struct thread_ctx {
    pthread_barrier_t *barrier;
    int is_b;
    hogfeat_status st;
    char fresh[512];
    char after_own[512];
    char after_other[512];
} thread_ctx;

static void *message_thread(void *arg)
{
    thread_ctx *t = arg;
    hogfeat_hog_config *cfg = NULL;
    hogfeat_status st = hogfeat_hog_config_create(&cfg);
    const char *m = hogfeat_last_error_message();
    snprintf(t->fresh, sizeof t->fresh, "%s", m ? m : "(null)");
    if (t->is_b) {
        t->st = st == HOGFEAT_OK ? hogfeat_hog_config_set_orientations(cfg, 777) : st;
        snprintf(t->after_own, sizeof t->after_own, "%s", hogfeat_last_error_message());
        pthread_barrier_wait(t->barrier); /* 1: A may now fail */
        pthread_barrier_wait(t->barrier); /* 2: A has failed */
        snprintf(t->after_other, sizeof t->after_other, "%s", hogfeat_last_error_message());
    } else {
        pthread_barrier_wait(t->barrier); /* 1 */
        t->st = st == HOGFEAT_OK ? hogfeat_hog_config_set_orientations(cfg, 555) : st;
        snprintf(t->after_own, sizeof t->after_own, "%s", hogfeat_last_error_message());
        pthread_barrier_wait(t->barrier); /* 2 */
        snprintf(t->after_other, sizeof t->after_other, "%s", hogfeat_last_error_message());
    }
    hogfeat_hog_config_destroy(cfg);
    return NULL;
}

START_TEST(test_last_error_per_thread)
{
    /* The main thread fails first; its message must survive both threads. */
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(NULL, 8, 8), HOGFEAT_ERR_NULL_POINTER);
    char main_msg[512];
    snprintf(main_msg, sizeof main_msg, "%s", hogfeat_last_error_message());
    ck_assert_msg(main_msg[0] != '\0', "no message in the main thread");

    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    thread_ctx a = {.barrier = &barrier, .is_b = 0}, b = {.barrier = &barrier, .is_b = 1};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, message_thread, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, message_thread, &b), 0);
    ck_assert_int_eq(pthread_join(ta, NULL), 0);
    ck_assert_int_eq(pthread_join(tb, NULL), 0);
    pthread_barrier_destroy(&barrier);

    ck_assert_int_eq(a.st, HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(b.st, HOGFEAT_ERR_INVALID_ARGUMENT);
    /* A new thread starts with an empty message, not the main thread's. */
    ck_assert_msg(a.fresh[0] == '\0', "fresh thread A sees \"%s\", expected \"\"", a.fresh);
    ck_assert_msg(b.fresh[0] == '\0', "fresh thread B sees \"%s\", expected \"\"", b.fresh);
    ck_assert_msg(strstr(b.after_own, "777") != NULL, "B's message \"%s\" lacks 777", b.after_own);
    ck_assert_msg(strstr(a.after_own, "555") != NULL, "A's message \"%s\" lacks 555", a.after_own);
    ck_assert_msg(strcmp(b.after_other, b.after_own) == 0,
                  "A's failure changed B's message from \"%s\" to \"%s\"", b.after_own, b.after_other);
    ck_assert_msg(strcmp(a.after_other, a.after_own) == 0, "A's message changed from \"%s\" to \"%s\"",
                  a.after_own, a.after_other);
    ck_assert_msg(strcmp(hogfeat_last_error_message(), main_msg) == 0,
                  "the threads changed the main thread's message from \"%s\" to \"%s\"", main_msg,
                  hogfeat_last_error_message());
}
END_TEST

/* ---- version ------------------------------------------------------------- */

START_TEST(test_version)
{
    ck_assert_int_eq(hogfeat_version_number(), HOGFEAT_VERSION_NUMBER);
    ck_assert_int_eq(HOGFEAT_VERSION_NUMBER,
                     HOGFEAT_VERSION_MAJOR * 10000 + HOGFEAT_VERSION_MINOR * 100 + HOGFEAT_VERSION_PATCH);
    const char *s = hogfeat_version_string();
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, HOGFEAT_VERSION_STRING);
    char expect[64];
    snprintf(expect, sizeof expect, "%d.%d.%d", HOGFEAT_VERSION_MAJOR, HOGFEAT_VERSION_MINOR,
             HOGFEAT_VERSION_PATCH);
    ck_assert_str_eq(s, expect);
}
END_TEST

/* ---- every code from a real call ---------------------------------------- */

/* Checks st == expect and a non-empty message that differs from the previous
 * failure's (so this call really set it); remembers the message. */
static void expect_status(hogfeat_status st, hogfeat_status expect, char *prev_msg, size_t prev_size)
{
    const char *msg = hogfeat_last_error_message();
    ck_assert_msg(st == expect, "got %s (%d), expected %s (%d); message \"%s\"", hogfeat_status_name((int)st),
                  (int)st, hogfeat_status_name((int)expect), (int)expect, msg);
    ck_assert_msg(msg != NULL && msg[0] != '\0', "%s: empty message", hogfeat_status_name((int)expect));
    ck_assert_msg(strcmp(msg, prev_msg) != 0, "%s: message \"%s\" is the previous failure's",
                  hogfeat_status_name((int)expect), msg);
    snprintf(prev_msg, prev_size, "%s", msg);
}

START_TEST(test_every_code_produced)
{
    char prev[512] = "";
    hogfeat_hog_config *cfg = NULL;
    hogfeat_image *img = NULL;
    float out[64];
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);

    expect_status(hogfeat_hog_config_set_orientations(cfg, 0), HOGFEAT_ERR_INVALID_ARGUMENT, prev, sizeof prev);
    expect_status(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 4, 4, NULL), HOGFEAT_ERR_NULL_POINTER, prev,
                  sizeof prev);

    hogfeat__test_alloc_fail_at(1, 0);
    hogfeat_status st = hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 4, 4, &img);
    hogfeat__test_alloc_reset();
    expect_status(st, HOGFEAT_ERR_OUT_OF_MEMORY, prev, sizeof prev);
    ck_assert_ptr_null(img);

    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 24, 24, &img), HOGFEAT_OK);
    expect_status(hogfeat_hog_compute(cfg, img, out, 80), HOGFEAT_ERR_BUFFER_TOO_SMALL, prev, sizeof prev);
    hogfeat_image_destroy(img);

    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 23, 24, &img), HOGFEAT_OK);
    expect_status(hogfeat_hog_compute(cfg, img, out, 64), HOGFEAT_ERR_IMAGE_TOO_SMALL, prev, sizeof prev);
    hogfeat_image_destroy(img);

    img = NULL;
    expect_status(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 0, 4, &img), HOGFEAT_ERR_BAD_GEOMETRY, prev,
                  sizeof prev);
    static uint8_t px[64];
    expect_status(hogfeat_image_wrap(px, HOGFEAT_FORMAT_U8_GRAY, 8, 2, 7, &img), HOGFEAT_ERR_BAD_STRIDE, prev,
                  sizeof prev);
    expect_status(hogfeat_image_create((hogfeat_format)99, 4, 4, &img), HOGFEAT_ERR_UNSUPPORTED_FORMAT, prev,
                  sizeof prev);

    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, 24, 24, &img), HOGFEAT_OK);
    ((float *)hogfeat_image_writable_data(img))[10 * 24 + 10] = NAN;
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(cfg, 24, 24, &len), HOGFEAT_OK);
    float *big = malloc(len * sizeof *big);
    ck_assert_ptr_nonnull(big);
    expect_status(hogfeat_hog_compute(cfg, img, big, len), HOGFEAT_ERR_NONFINITE, prev, sizeof prev);
    free(big);
    hogfeat_image_destroy(img);

    expect_status(hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, SIZE_MAX, 1, &img), HOGFEAT_ERR_LIMIT_EXCEEDED,
                  prev, sizeof prev);

    /* No producer yet, produced by the model/dataset API:
     *   HOGFEAT_ERR_IO (11), HOGFEAT_ERR_CORRUPT_DATA (12), HOGFEAT_ERR_VERSION_MISMATCH (13),
     *   HOGFEAT_ERR_DIMENSION_MISMATCH (14), HOGFEAT_ERR_BAD_TRAINING_SET (15),
     *   HOGFEAT_ERR_CHECKSUM (16), HOGFEAT_ERR_CANCELLED (17), HOGFEAT_ERR_MODEL_KIND (18).
     * Add them here when that API lands; they are not faked. */

    hogfeat_hog_config_destroy(cfg);
}
END_TEST

static Suite *status_suite(void)
{
    Suite *s = suite_create("status");
    TCase *tc;

    tc = tcase_create("known_codes");
    tcase_add_test(tc, test_known_codes);
    suite_add_tcase(s, tc);

    tc = tcase_create("unknown_codes");
    tcase_add_test(tc, test_unknown_codes);
    suite_add_tcase(s, tc);

    tc = tcase_create("last_error_sticky");
    tcase_add_test(tc, test_last_error_sticky);
    suite_add_tcase(s, tc);

    tc = tcase_create("last_error_per_thread");
    tcase_add_test(tc, test_last_error_per_thread);
    suite_add_tcase(s, tc);

    tc = tcase_create("version");
    tcase_add_test(tc, test_version);
    suite_add_tcase(s, tc);

    tc = tcase_create("every_code_produced");
    tcase_add_test(tc, test_every_code_produced);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    return test_run_suite(status_suite());
}
