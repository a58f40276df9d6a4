/* Parity with scikit-image 0.19 skimage.feature.hog.
 *
 * Reads every $HOGFEAT_TEST_FIXTURES/hog/\*.fix (written by
 * tests/gen_hog_fixtures.py; format in tests/data/hog/README.md), computes the
 * descriptor with libhogfeat and compares it value by value with scikit-image's:
 * max |delta| <= 1e-5 for uint8 images, <= 1e-4 for float32 images. Each
 * fixture is one iteration of a loop test, so failures are reported per case.
 * Prints one line per case and, last, the overall maximum per dtype. */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#define PARITY_MIN_FIXTURES 30
#define PARITY_TOL_U8 1e-5
#define PARITY_TOL_F32 1e-4
#define FIXTURE_MAX_BYTES ((size_t)64 << 20)
#define FIXTURE_MAX_HEADER 4096
#define FIXTURE_MAX_SIDE 65535L
#define FIXTURE_MAX_LENGTH (1L << 26)

/* ---- fixture inventory (built in main, before the runner forks) --------- */

static char g_hog_dir[PATH_MAX];
static int g_dir_ok;
static char **g_files;
static size_t g_nfiles;
/* Per-case results go to an unnamed temporary file shared by the forked
 * test processes (they run one after another), read by the summary test. */
static int g_results_fd = -1;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_fix_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".fix") == 0;
}

static void scan_fixtures(void)
{
    int n = snprintf(g_hog_dir, sizeof g_hog_dir, "%s/hog", test_fixture_dir());
    if (n < 0 || (size_t)n >= sizeof g_hog_dir)
        return;
    DIR *d = opendir(g_hog_dir);
    if (!d)
        return;
    g_dir_ok = 1;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!has_fix_suffix(e->d_name))
            continue;
        if (g_nfiles == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            char **nf = realloc(g_files, ncap * sizeof *nf);
            if (!nf)
                break;
            g_files = nf;
            cap = ncap;
        }
        char *copy = malloc(strlen(e->d_name) + 1);
        if (!copy)
            break;
        strcpy(copy, e->d_name);
        g_files[g_nfiles++] = copy;
    }
    closedir(d);
    if (g_nfiles > 1)
        qsort(g_files, g_nfiles, sizeof *g_files, cmp_names);
}

static void free_inventory(void)
{
    for (size_t i = 0; i < g_nfiles; i++)
        free(g_files[i]);
    free(g_files);
    g_files = NULL;
    g_nfiles = 0;
}

/* ---- fixture parsing ---------------------------------------------------- */

enum { DT_U8 = 0, DT_F32 = 1 };

typedef struct fixture {
    char name[128];
    long width, height, channels, orientations;
    long cell_w, cell_h, block_w, block_h, length;
    int dtype;
    hogfeat_norm norm;
    int transform_sqrt;
    void *pixels; /* uint8_t[] or float[] (aligned copy), packed rows */
    double *ref;  /* length values */
} fixture;

static void fixture_free(fixture *f)
{
    free(f->pixels);
    free(f->ref);
    f->pixels = NULL;
    f->ref = NULL;
}

static const char *norm_label(hogfeat_norm n)
{
    switch (n) {
    case HOGFEAT_NORM_L1:
        return "L1";
    case HOGFEAT_NORM_L1_SQRT:
        return "L1-sqrt";
    case HOGFEAT_NORM_L2:
        return "L2";
    case HOGFEAT_NORM_L2HYS:
        return "L2-Hys";
    }
    return "?";
}

/* Decimal digits only, no sign, within [lo, hi]. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
    long v = 0;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (v > (hi - (*s - '0')) / 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    if (v < lo)
        return 0;
    *out = v;
    return 1;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int read_file(const char *path, unsigned char **out, size_t *out_len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return 0;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= FIXTURE_MAX_BYTES) {
                free(buf);
                fclose(fp);
                snprintf(err, errlen, "file larger than %zu bytes", FIXTURE_MAX_BYTES);
                return 0;
            }
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                snprintf(err, errlen, "out of memory");
                return 0;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            int bad = ferror(fp);
            fclose(fp);
            if (bad) {
                free(buf);
                snprintf(err, errlen, "read error");
                return 0;
            }
            break;
        }
    }
    *out = buf;
    *out_len = len;
    return 1;
}

enum {
    K_MAGIC, K_NAME, K_WIDTH, K_HEIGHT, K_CHANNELS, K_DTYPE, K_ORIENT, K_CELL_W, K_CELL_H,
    K_BLOCK_W, K_BLOCK_H, K_NORM, K_SQRT, K_LENGTH, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "hogfeat-fixture", "name", "width", "height", "channels", "dtype", "orientations",
    "cell_width", "cell_height", "block_width", "block_height", "norm", "transform_sqrt", "length"};

static int parse_header_line(fixture *f, int key, const char *val, char *err, size_t errlen)
{
    long v = 0;
    int ok = 1;
    switch (key) {
    case K_MAGIC:
        ok = strcmp(val, "1") == 0;
        break;
    case K_NAME: {
        size_t n = strlen(val);
        ok = n > 0 && n < sizeof f->name;
        for (size_t i = 0; ok && i < n; i++) {
            char c = val[i];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        }
        if (ok)
            memcpy(f->name, val, n + 1);
        break;
    }
    case K_WIDTH:
        ok = parse_long(val, 1, FIXTURE_MAX_SIDE, &f->width);
        break;
    case K_HEIGHT:
        ok = parse_long(val, 1, FIXTURE_MAX_SIDE, &f->height);
        break;
    case K_CHANNELS:
        ok = parse_long(val, 1, 3, &f->channels) && f->channels != 2;
        break;
    case K_DTYPE:
        if (strcmp(val, "u8") == 0)
            f->dtype = DT_U8;
        else if (strcmp(val, "f32") == 0)
            f->dtype = DT_F32;
        else
            ok = 0;
        break;
    case K_ORIENT:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_ORIENTATIONS, &f->orientations);
        break;
    case K_CELL_W:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_CELL_PX, &f->cell_w);
        break;
    case K_CELL_H:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_CELL_PX, &f->cell_h);
        break;
    case K_BLOCK_W:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &f->block_w);
        break;
    case K_BLOCK_H:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &f->block_h);
        break;
    case K_NORM:
        if (strcmp(val, "L1") == 0)
            f->norm = HOGFEAT_NORM_L1;
        else if (strcmp(val, "L1-sqrt") == 0)
            f->norm = HOGFEAT_NORM_L1_SQRT;
        else if (strcmp(val, "L2") == 0)
            f->norm = HOGFEAT_NORM_L2;
        else if (strcmp(val, "L2-Hys") == 0)
            f->norm = HOGFEAT_NORM_L2HYS;
        else
            ok = 0;
        break;
    case K_SQRT:
        ok = parse_long(val, 0, 1, &v);
        f->transform_sqrt = (int)v;
        break;
    case K_LENGTH:
        ok = parse_long(val, 1, FIXTURE_MAX_LENGTH, &f->length);
        break;
    default:
        ok = 0;
    }
    if (!ok)
        snprintf(err, errlen, "bad value '%.60s' for key '%s'", val, key_names[key]);
    return ok;
}

/* Parses a fixture file; on failure writes a reason to err and returns 0. */
static int fixture_load(const char *path, fixture *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    unsigned char *buf = NULL;
    size_t len = 0;
    if (!read_file(path, &buf, &len, err, errlen))
        return 0;

    int seen[K_COUNT] = {0};
    size_t pos = 0;
    int line_no = 0, ended = 0, ok = 1;
    char line[256];
    while (ok && !ended) {
        size_t start = pos;
        while (pos < len && pos - start < FIXTURE_MAX_HEADER && buf[pos] != '\n')
            pos++;
        if (pos >= len || buf[pos] != '\n' || pos >= FIXTURE_MAX_HEADER) {
            snprintf(err, errlen, "header not terminated by an 'end' line within %d bytes",
                     FIXTURE_MAX_HEADER);
            ok = 0;
            break;
        }
        size_t n = pos - start;
        pos++; /* past '\n' */
        line_no++;
        if (n >= sizeof line) {
            snprintf(err, errlen, "header line %d too long", line_no);
            ok = 0;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (buf[start + i] < 0x20 || buf[start + i] > 0x7e) {
                snprintf(err, errlen, "header line %d: non-printable byte 0x%02x", line_no,
                         buf[start + i]);
                ok = 0;
                break;
            }
        }
        if (!ok)
            break;
        memcpy(line, buf + start, n);
        line[n] = '\0';
        if (strcmp(line, "end") == 0) {
            ended = 1;
            break;
        }
        char *sp = strchr(line, ' ');
        if (!sp) {
            snprintf(err, errlen, "header line %d: expected 'key value': '%.60s'", line_no, line);
            ok = 0;
            break;
        }
        *sp = '\0';
        const char *val = sp + 1;
        int key = -1;
        for (int k = 0; k < K_COUNT; k++)
            if (strcmp(line, key_names[k]) == 0)
                key = k;
        if (key < 0) {
            snprintf(err, errlen, "header line %d: unknown key '%.60s'", line_no, line);
            ok = 0;
        } else if (line_no == 1 && key != K_MAGIC) {
            snprintf(err, errlen, "not a hogfeat fixture (first line must be 'hogfeat-fixture 1')");
            ok = 0;
        } else if (seen[key]) {
            snprintf(err, errlen, "header line %d: duplicate key '%.60s'", line_no, line);
            ok = 0;
        } else {
            seen[key] = 1;
            ok = parse_header_line(f, key, val, err, errlen);
        }
    }
    for (int k = 0; ok && k < K_COUNT; k++) {
        if (!seen[k]) {
            snprintf(err, errlen, "header lacks key '%s'", key_names[k]);
            ok = 0;
        }
    }

    size_t sample = 0, npix = 0, img_bytes = 0, ref_bytes = 0;
    if (ok) {
        sample = f->dtype == DT_U8 ? 1 : 4;
        npix = (size_t)f->width * (size_t)f->height; /* <= 2^32: sides <= 65535 */
        if (npix > SIZE_MAX / 12 || (size_t)f->length > SIZE_MAX / 8) {
            snprintf(err, errlen, "sizes overflow");
            ok = 0;
        } else {
            img_bytes = npix * (size_t)f->channels * sample;
            ref_bytes = (size_t)f->length * 8;
            size_t rest = len - pos;
            if (rest < img_bytes || rest - img_bytes != ref_bytes) {
                snprintf(err, errlen,
                         "body is %zu bytes, expected %zu (image) + %zu (descriptor)", rest,
                         img_bytes, ref_bytes);
                ok = 0;
            }
        }
    }
    if (ok) {
        f->pixels = malloc(img_bytes);
        f->ref = malloc(ref_bytes);
        if (!f->pixels || !f->ref) {
            snprintf(err, errlen, "out of memory");
            ok = 0;
        }
    }
    if (ok) {
        const unsigned char *p = buf + pos;
        if (f->dtype == DT_U8) {
            memcpy(f->pixels, p, img_bytes);
        } else {
            float *dst = f->pixels;
            size_t n = img_bytes / 4;
            for (size_t i = 0; i < n; i++) {
                uint32_t u = le32(p + 4 * i);
                memcpy(&dst[i], &u, sizeof u);
            }
        }
        p += img_bytes;
        for (long i = 0; ok && i < f->length; i++) {
            uint64_t u = le64(p + 8 * (size_t)i);
            memcpy(&f->ref[i], &u, sizeof u);
            if (!isfinite(f->ref[i])) {
                snprintf(err, errlen, "reference value %ld is not finite", i);
                ok = 0;
            }
        }
    }
    free(buf);
    if (!ok)
        fixture_free(f);
    return ok;
}

/* ---- comparison --------------------------------------------------------- */

typedef struct cmp_result {
    double max_delta; /* +inf when a value is not finite */
    size_t worst;     /* index of max_delta */
    float got;        /* library value at worst */
    double want;      /* reference value at worst */
} cmp_result;

/* 1 when every |got[i] - want[i]| <= tol (and every got[i] is finite). */
static int compare_descriptor(const float *got, const double *want, size_t n, double tol,
                              cmp_result *res)
{
    res->max_delta = 0.0;
    res->worst = 0;
    res->got = n ? got[0] : 0.0f;
    res->want = n ? want[0] : 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!isfinite(d))
            d = INFINITY;
        if (d > res->max_delta) {
            res->max_delta = d;
            res->worst = i;
            res->got = got[i];
            res->want = want[i];
        }
    }
    return res->max_delta <= tol;
}

static double tolerance_for(const fixture *f)
{
    return f->dtype == DT_U8 ? PARITY_TOL_U8 : PARITY_TOL_F32;
}

static hogfeat_format format_for(const fixture *f)
{
    if (f->dtype == DT_U8)
        return f->channels == 3 ? HOGFEAT_FORMAT_U8_RGB : HOGFEAT_FORMAT_U8_GRAY;
    return f->channels == 3 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY;
}

static void describe(const fixture *f, char *buf, size_t len)
{
    snprintf(buf, len, "%s %ldx%ldx%ld o%ld cell %ldx%ld block %ldx%ld %s sqrt %d len %ld",
             f->dtype == DT_U8 ? "u8" : "f32", f->width, f->height, f->channels,
             f->orientations, f->cell_w, f->cell_h, f->block_w, f->block_h, norm_label(f->norm),
             f->transform_sqrt, f->length);
}

#define CHECK_OK(call)                                                                        \
    do {                                                                                      \
        hogfeat_status st_ = (call);                                                          \
        ck_assert_msg(st_ == HOGFEAT_OK, "%s: %s -> %s (%s)", case_name, #call,               \
                      hogfeat_status_name(st_), hogfeat_last_error_message());                \
    } while (0)

/* Loads fixture `file`, configures the library as the fixture says and
 * computes; fails the test on any error. Returns the descriptor (length floats). */
static float *compute_fixture(const char *file, fixture *f)
{
    char path[PATH_MAX + 256], err[256];
    const char *case_name = file;
    snprintf(path, sizeof path, "%s/%s", g_hog_dir, file);
    ck_assert_msg(fixture_load(path, f, err, sizeof err), "%s: unreadable fixture: %s", file, err);

    hogfeat_hog_config *cfg = NULL;
    CHECK_OK(hogfeat_hog_config_create(&cfg));
    CHECK_OK(hogfeat_hog_config_set_orientations(cfg, (int32_t)f->orientations));
    CHECK_OK(hogfeat_hog_config_set_cell_size(cfg, (int32_t)f->cell_w, (int32_t)f->cell_h));
    CHECK_OK(hogfeat_hog_config_set_block_size(cfg, (int32_t)f->block_w, (int32_t)f->block_h));
    CHECK_OK(hogfeat_hog_config_set_block_stride(cfg, 1, 1));
    CHECK_OK(hogfeat_hog_config_set_block_norm(cfg, f->norm));
    CHECK_OK(hogfeat_hog_config_set_transform_sqrt(cfg, f->transform_sqrt));
    CHECK_OK(hogfeat_hog_config_set_signed_orientations(cfg, 0));

    size_t len = 0;
    CHECK_OK(hogfeat_hog_feature_length(cfg, (size_t)f->width, (size_t)f->height, &len));
    ck_assert_msg(len == (size_t)f->length,
                  "%s: hogfeat_hog_feature_length gives %zu, the fixture has %ld values", file,
                  len, f->length);

    hogfeat_image *img = NULL;
    CHECK_OK(hogfeat_image_wrap(f->pixels, format_for(f), (size_t)f->width, (size_t)f->height, 0,
                                &img));

    /* Two guard values after the descriptor: compute must write exactly len. */
    float *out = malloc((len + 2) * sizeof *out);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < len + 2; i++)
        out[i] = -12345.0f;
    CHECK_OK(hogfeat_hog_compute(cfg, img, out, len));
    ck_assert_msg(out[len] == -12345.0f && out[len + 1] == -12345.0f,
                  "%s: hogfeat_hog_compute wrote past the descriptor", file);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(cfg);
    return out;
}

/* ---- tests -------------------------------------------------------------- */

typedef struct result_record {
    int32_t dtype;
    int32_t pass;
    double max_delta;
} result_record;

START_TEST(test_fixture_inventory)
{
    ck_assert_msg(g_dir_ok, "fixture directory %s is missing (set HOGFEAT_TEST_FIXTURES)",
                  g_hog_dir);
    ck_assert_msg(g_nfiles >= PARITY_MIN_FIXTURES,
                  "only %zu fixtures in %s, at least %d expected; regenerate them with "
                  "/usr/bin/python3 tests/gen_hog_fixtures.py",
                  g_nfiles, g_hog_dir, PARITY_MIN_FIXTURES);
}
END_TEST

START_TEST(test_parity_case)
{
    const char *file = g_files[_i];
    fixture f;
    float *got = compute_fixture(file, &f);
    double tol = tolerance_for(&f);
    cmp_result r;
    int pass = compare_descriptor(got, f.ref, (size_t)f.length, tol, &r);

    char stem[128], desc[192];
    snprintf(stem, sizeof stem, "%.*s", (int)(strlen(file) - 4), file);
    describe(&f, desc, sizeof desc);
    printf("parity: %-32s %-58s max |delta| %.3g%s\n", stem, desc, r.max_delta,
           pass ? "" : "  FAIL");
    fflush(stdout);

    if (g_results_fd >= 0) {
        result_record rec = {f.dtype, pass, r.max_delta};
        ssize_t w = write(g_results_fd, &rec, sizeof rec);
        ck_assert_msg(w == (ssize_t)sizeof rec, "cannot record the result");
    }

    ck_assert_msg(pass,
                  "%s (%s): max |delta| %.6g > %g at index %zu: libhogfeat %.9g, "
                  "scikit-image %.17g",
                  stem, desc, r.max_delta, tol, r.worst, (double)r.got, r.want);
    free(got);
    fixture_free(&f);
}
END_TEST

/* The comparison can fail: a reference value moved by 1e-3 is caught, and
 * so is a NaN in the computed descriptor. */
START_TEST(test_perturbed_reference_fails)
{
    ck_assert_msg(g_nfiles > 0, "no fixture to perturb");
    fixture f;
    float *got = compute_fixture(g_files[0], &f);
    size_t n = (size_t)f.length;
    double tol = tolerance_for(&f);
    cmp_result r;

    /* Baseline: the library's own output, widened exactly, compares equal. */
    double *self = malloc(n * sizeof *self);
    ck_assert_ptr_nonnull(self);
    for (size_t i = 0; i < n; i++)
        self[i] = (double)got[i];
    ck_assert(compare_descriptor(got, self, n, tol, &r));
    ck_assert(r.max_delta == 0.0);

    int baseline = compare_descriptor(got, f.ref, n, tol, &r);

    size_t k = n / 2;
    f.ref[k] += 1e-3;
    ck_assert_msg(!compare_descriptor(got, f.ref, n, tol, &r),
                  "a reference value off by 1e-3 passed the comparison");
    ck_assert(r.max_delta >= 1e-3 - tol);
    if (baseline)
        ck_assert_uint_eq(r.worst, k);
    f.ref[k] -= 2e-3;
    ck_assert(!compare_descriptor(got, f.ref, n, tol, &r));

    self[k] += 1e-3;
    ck_assert(!compare_descriptor(got, self, n, tol, &r));
    ck_assert_uint_eq(r.worst, k);
    self[k] = (double)got[k];

    got[n - 1] = NAN;
    ck_assert(!compare_descriptor(got, self, n, tol, &r));
    ck_assert_uint_eq(r.worst, n - 1);

    free(self);
    free(got);
    fixture_free(&f);
}
END_TEST

START_TEST(test_parity_summary)
{
    ck_assert_msg(g_results_fd >= 0, "no results file");
    size_t cases[2] = {0, 0}, failed = 0;
    double worst[2] = {0.0, 0.0};
    result_record rec;
    off_t off = 0;
    while (pread(g_results_fd, &rec, sizeof rec, off) == (ssize_t)sizeof rec) {
        off += (off_t)sizeof rec;
        int d = rec.dtype == DT_U8 ? 0 : 1;
        cases[d]++;
        if (!rec.pass)
            failed++;
        if (!(rec.max_delta <= worst[d])) /* NaN/inf propagate */
            worst[d] = rec.max_delta;
    }
    size_t total = cases[0] + cases[1];
    printf("parity: %zu cases, max |delta| u8 %.2g, f32 %.2g", total, worst[0], worst[1]);
    if (failed || total != g_nfiles)
        printf(" (%zu over tolerance, %zu of %zu fixtures without a result)", failed,
               g_nfiles - total, g_nfiles);
    printf("\n");
    fflush(stdout);
}
END_TEST

static Suite *parity_suite(void)
{
    Suite *s = suite_create("parity");

    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixture_inventory);
    suite_add_tcase(s, tc);

    tc = tcase_create("skimage");
    tcase_add_loop_test(tc, test_parity_case, 0, (int)g_nfiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("compare-can-fail");
    tcase_add_test(tc, test_perturbed_reference_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("summary");
    tcase_add_test(tc, test_parity_summary);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    scan_fixtures();
    FILE *results = tmpfile();
    if (results)
        g_results_fd = fileno(results);
    int rc = test_run_suite(parity_suite());
    if (results)
        fclose(results);
    free_inventory();
    return rc;
}
