/* Parity of HOGFEAT_HOG_PRESET_OPENCV with OpenCV 4.6 cv::HOGDescriptor.
 *
 * Reads every $HOGFEAT_TEST_FIXTURES/opencv/\*.fix (written by
 * tests/gen_opencv_fixtures.py; format in tests/data/opencv/README.md),
 * computes the descriptor with the OpenCV preset and compares it value by
 * value with OpenCV's: max |delta| <= 1e-4. Each fixture is one iteration of
 * a loop test; the same loop also checks the scikit-image layout against
 * hogfeat_hog_convert_layout() and float input holding the uint8 values.
 * Prints one line per case and, last, the overall maximum. Further tcases:
 * the comparison can fail, argument validation, non-finite float input,
 * allocation failure, workspace reuse and batch extraction. */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <unistd.h>

#include "private.h"

#define OPENCV_MIN_FIXTURES 20
#define OPENCV_TOL 1e-4
#define FIXTURE_MAX_BYTES ((size_t)64 << 20)
#define FIXTURE_MAX_HEADER 4096
#define FIXTURE_MAX_SIDE 65535L
#define FIXTURE_MAX_LENGTH (1L << 26)
#define GUARD_VALUE (-12345.0f)

/* ---- fixture inventory (built in main, before the runner forks) --------- */

static char g_dir[PATH_MAX];
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
    int n = snprintf(g_dir, sizeof g_dir, "%s/opencv", test_fixture_dir());
    if (n < 0 || (size_t)n >= sizeof g_dir)
        return;
    DIR *d = opendir(g_dir);
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

typedef struct fixture {
    char name[128];
    long width, height, channels, orientations, is_signed;
    long cell_w, cell_h, block_w, block_h, stride_x, stride_y;
    double window_sigma;
    int transform_sqrt;
    long window_w, window_h, length;
    uint8_t *pixels; /* packed rows, channels interleaved */
    double *ref;     /* length values, OpenCV order */
} fixture;

static void fixture_free(fixture *f)
{
    free(f->pixels);
    free(f->ref);
    f->pixels = NULL;
    f->ref = NULL;
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

/* A finite, non-negative decimal such as Python's repr of a float. */
static int parse_sigma(const char *s, double *out)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '-' || *p == '+'))
            return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= 0.0 && v <= 1e6))
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
    K_MAGIC, K_NAME, K_PRESET, K_WIDTH, K_HEIGHT, K_CHANNELS, K_DTYPE, K_ORIENT, K_SIGNED, K_CELL_W,
    K_CELL_H, K_BLOCK_W, K_BLOCK_H, K_STRIDE_X, K_STRIDE_Y, K_SIGMA, K_NORM, K_SQRT, K_LAYOUT, K_WIN_W,
    K_WIN_H, K_LENGTH, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "hogfeat-fixture", "name", "preset", "width", "height", "channels", "dtype", "orientations",
    "signed", "cell_width", "cell_height", "block_width", "block_height", "block_stride_x",
    "block_stride_y", "window_sigma", "norm", "transform_sqrt", "layout", "window_width",
    "window_height", "length"};

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
    case K_PRESET:
        ok = strcmp(val, "opencv") == 0;
        break;
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
        ok = strcmp(val, "u8") == 0;
        break;
    case K_ORIENT:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_ORIENTATIONS, &f->orientations);
        break;
    case K_SIGNED:
        ok = parse_long(val, 0, 1, &f->is_signed);
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
    case K_STRIDE_X:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &f->stride_x);
        break;
    case K_STRIDE_Y:
        ok = parse_long(val, 1, HOGFEAT_HOG_MAX_BLOCK_CELLS, &f->stride_y);
        break;
    case K_SIGMA:
        ok = parse_sigma(val, &f->window_sigma);
        break;
    case K_NORM:
        ok = strcmp(val, "L2-Hys") == 0;
        break;
    case K_SQRT:
        ok = parse_long(val, 0, 1, &v);
        f->transform_sqrt = (int)v;
        break;
    case K_LAYOUT:
        ok = strcmp(val, "opencv") == 0;
        break;
    case K_WIN_W:
        ok = parse_long(val, 1, FIXTURE_MAX_SIDE, &f->window_w);
        break;
    case K_WIN_H:
        ok = parse_long(val, 1, FIXTURE_MAX_SIDE, &f->window_h);
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
            snprintf(err, errlen, "header not terminated by an 'end' line within %d bytes", FIXTURE_MAX_HEADER);
            ok = 0;
            break;
        }
        size_t n = pos - start;
        pos++;
        line_no++;
        if (n >= sizeof line) {
            snprintf(err, errlen, "header line %d too long", line_no);
            ok = 0;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (buf[start + i] < 0x20 || buf[start + i] > 0x7e) {
                snprintf(err, errlen, "header line %d: non-printable byte 0x%02x", line_no, buf[start + i]);
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

    size_t img_bytes = 0, ref_bytes = 0;
    if (ok) {
        size_t npix = (size_t)f->width * (size_t)f->height; /* <= 2^32: sides <= 65535 */
        if (npix > SIZE_MAX / 3 || (size_t)f->length > SIZE_MAX / 8) {
            snprintf(err, errlen, "sizes overflow");
            ok = 0;
        } else {
            img_bytes = npix * (size_t)f->channels;
            ref_bytes = (size_t)f->length * 8;
            size_t rest = len - pos;
            if (rest < img_bytes || rest - img_bytes != ref_bytes) {
                snprintf(err, errlen, "body is %zu bytes, expected %zu (image) + %zu (descriptor)", rest, img_bytes,
                         ref_bytes);
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
        memcpy(f->pixels, p, img_bytes);
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
static int compare_descriptor(const float *got, const double *want, size_t n, double tol, cmp_result *res)
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

static void describe(const fixture *f, char *buf, size_t len)
{
    char sigma[32];
    if (f->window_sigma > 0.0)
        snprintf(sigma, sizeof sigma, "%g", f->window_sigma);
    else
        snprintf(sigma, sizeof sigma, "auto");
    snprintf(buf, len, "%ldx%ldx%ld o%ld%s cell %ldx%ld block %ldx%ld stride %ldx%ld sigma %s%s len %ld",
             f->width, f->height, f->channels, f->orientations, f->is_signed ? "s" : "", f->cell_w, f->cell_h,
             f->block_w, f->block_h, f->stride_x, f->stride_y, sigma, f->transform_sqrt ? " gamma" : "",
             f->length);
}

#define CHECK_OK(call)                                                                                      \
    do {                                                                                                    \
        hogfeat_status st_ = (call);                                                                        \
        ck_assert_msg(st_ == HOGFEAT_OK, "%s: %s -> %s (%s)", case_name, #call, hogfeat_status_name(st_),   \
                      hogfeat_last_error_message());                                                        \
    } while (0)

static float *guarded_buffer(size_t len)
{
    float *out = malloc((len + 2) * sizeof *out);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < len + 2; i++)
        out[i] = GUARD_VALUE;
    return out;
}

static int all_guard(const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] != GUARD_VALUE)
            return 0;
    return 1;
}

/* The configuration a fixture describes (OpenCV preset, OpenCV layout). */
static hogfeat_hog_config *fixture_config(const fixture *f, const char *case_name)
{
    hogfeat_hog_config *cfg = NULL;
    CHECK_OK(hogfeat_hog_config_create(&cfg));
    CHECK_OK(hogfeat_hog_config_set_preset(cfg, HOGFEAT_HOG_PRESET_OPENCV));
    CHECK_OK(hogfeat_hog_config_set_orientations(cfg, (int32_t)f->orientations));
    CHECK_OK(hogfeat_hog_config_set_signed_orientations(cfg, (int)f->is_signed));
    CHECK_OK(hogfeat_hog_config_set_cell_size(cfg, (int32_t)f->cell_w, (int32_t)f->cell_h));
    CHECK_OK(hogfeat_hog_config_set_block_size(cfg, (int32_t)f->block_w, (int32_t)f->block_h));
    CHECK_OK(hogfeat_hog_config_set_block_stride(cfg, (int32_t)f->stride_x, (int32_t)f->stride_y));
    CHECK_OK(hogfeat_hog_config_set_window_sigma(cfg, f->window_sigma));
    CHECK_OK(hogfeat_hog_config_set_transform_sqrt(cfg, f->transform_sqrt));
    ck_assert_int_eq(hogfeat_hog_config_get_layout(cfg), HOGFEAT_HOG_LAYOUT_OPENCV);
    ck_assert_int_eq(hogfeat_hog_config_get_block_norm(cfg), HOGFEAT_NORM_L2HYS);
    return cfg;
}

static hogfeat_format fixture_format(const fixture *f, int as_float)
{
    if (as_float)
        return f->channels == 3 ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY;
    return f->channels == 3 ? HOGFEAT_FORMAT_U8_RGB : HOGFEAT_FORMAT_U8_GRAY;
}

/* Computes the fixture's image (as uint8, or converted to float) with cfg;
 * checks that exactly len values are written. */
static float *compute_with(const hogfeat_hog_config *cfg, const fixture *f, int as_float, size_t len,
                           const char *case_name)
{
    size_t n = (size_t)f->width * (size_t)f->height * (size_t)f->channels;
    float *fpx = NULL;
    const void *px = f->pixels;
    if (as_float) {
        fpx = malloc(n * sizeof *fpx);
        ck_assert_ptr_nonnull(fpx);
        for (size_t i = 0; i < n; i++)
            fpx[i] = (float)f->pixels[i];
        px = fpx;
    }
    hogfeat_image *img = NULL;
    CHECK_OK(hogfeat_image_wrap(px, fixture_format(f, as_float), (size_t)f->width, (size_t)f->height, 0, &img));
    float *out = guarded_buffer(len);
    CHECK_OK(hogfeat_hog_compute(cfg, img, out, len));
    ck_assert_msg(out[len] == GUARD_VALUE && out[len + 1] == GUARD_VALUE,
                  "%s: hogfeat_hog_compute wrote past the descriptor", case_name);
    hogfeat_image_destroy(img);
    free(fpx);
    return out;
}

/* Loads fixture `file` and computes it as the fixture says (uint8, OpenCV
 * layout); checks the length and OpenCV's window against our grid. */
static float *compute_fixture(const char *file, fixture *f)
{
    char path[PATH_MAX + 256], err[256];
    const char *case_name = file;
    snprintf(path, sizeof path, "%s/%s", g_dir, file);
    ck_assert_msg(fixture_load(path, f, err, sizeof err), "%s: unreadable fixture: %s", file, err);

    hogfeat_hog_config *cfg = fixture_config(f, file);
    size_t len = 0, bx = 0, by = 0;
    CHECK_OK(hogfeat_hog_feature_length(cfg, (size_t)f->width, (size_t)f->height, &len));
    ck_assert_msg(len == (size_t)f->length, "%s: hogfeat_hog_feature_length gives %zu, OpenCV %ld values", file,
                  len, f->length);
    /* Our window (block + (blocks - 1) * stride) is the one OpenCV used. */
    CHECK_OK(hogfeat_hog_block_grid(cfg, (size_t)f->width, (size_t)f->height, &bx, &by));
    long win_w = f->block_w * f->cell_w + (long)(bx - 1) * f->stride_x * f->cell_w;
    long win_h = f->block_h * f->cell_h + (long)(by - 1) * f->stride_y * f->cell_h;
    ck_assert_msg(win_w == f->window_w && win_h == f->window_h, "%s: window %ldx%ld, OpenCV used %ldx%ld", file,
                  win_w, win_h, f->window_w, f->window_h);
    float *out = compute_with(cfg, f, 0, len, file);
    hogfeat_hog_config_destroy(cfg);
    return out;
}

/* ---- fixture tests ------------------------------------------------------ */

typedef struct result_record {
    int32_t pass;
    double max_delta;
} result_record;

START_TEST(test_fixture_inventory)
{
    ck_assert_msg(g_dir_ok, "fixture directory %s is missing (set HOGFEAT_TEST_FIXTURES)", g_dir);
    ck_assert_msg(g_nfiles >= OPENCV_MIN_FIXTURES,
                  "only %zu fixtures in %s, at least %d expected; regenerate them with "
                  "/usr/bin/python3 tests/gen_opencv_fixtures.py",
                  g_nfiles, g_dir, OPENCV_MIN_FIXTURES);
}
END_TEST

START_TEST(test_opencv_case)
{
    const char *file = g_files[_i];
    fixture f;
    float *got = compute_fixture(file, &f);
    cmp_result r;
    int pass = compare_descriptor(got, f.ref, (size_t)f.length, OPENCV_TOL, &r);

    char stem[128], desc[192];
    snprintf(stem, sizeof stem, "%.*s", (int)(strlen(file) - 4), file);
    describe(&f, desc, sizeof desc);
    printf("opencv: %-40s %-66s max |delta| %.3g%s\n", stem, desc, r.max_delta, pass ? "" : "  FAIL");
    fflush(stdout);

    if (g_results_fd >= 0) {
        result_record rec;
        memset(&rec, 0, sizeof rec); /* no uninitialised padding in the file */
        rec.pass = pass;
        rec.max_delta = r.max_delta;
        ssize_t w = write(g_results_fd, &rec, sizeof rec);
        ck_assert_msg(w == (ssize_t)sizeof rec, "cannot record the result");
    }
    ck_assert_msg(pass, "%s (%s): max |delta| %.6g > %g at index %zu: libhogfeat %.9g, OpenCV %.9g", stem, desc,
                  r.max_delta, OPENCV_TOL, r.worst, (double)r.got, r.want);
    free(got);
    fixture_free(&f);
}
END_TEST

/* The scikit-image layout of the OpenCV preset is the OpenCV-layout output
 * reordered by hogfeat_hog_convert_layout(), value for value. */
START_TEST(test_opencv_case_skimage_layout)
{
    const char *file = g_files[_i];
    const char *case_name = file;
    fixture f;
    float *ocv = compute_fixture(file, &f);
    const size_t len = (size_t)f.length;
    hogfeat_hog_config *cfg = fixture_config(&f, file);
    CHECK_OK(hogfeat_hog_config_set_layout(cfg, HOGFEAT_HOG_LAYOUT_SKIMAGE));
    float *sk = compute_with(cfg, &f, 0, len, file);
    float *conv = guarded_buffer(len);
    CHECK_OK(hogfeat_hog_convert_layout(cfg, (size_t)f.width, (size_t)f.height, ocv, HOGFEAT_HOG_LAYOUT_OPENCV,
                                        conv, HOGFEAT_HOG_LAYOUT_SKIMAGE, len));
    ck_assert_msg(memcmp(sk, conv, len * sizeof *sk) == 0,
                  "%s: scikit-image layout differs from the converted OpenCV layout", file);
    free(ocv);
    free(sk);
    free(conv);
    hogfeat_hog_config_destroy(cfg);
    fixture_free(&f);
}
END_TEST

/* Float input runs the same algorithm on the float values: an image holding
 * the uint8 values gives the uint8 result exactly (with and without the
 * square root: OpenCV's LUT is sqrtf of the same floats). */
START_TEST(test_opencv_case_float_input)
{
    const char *file = g_files[_i];
    fixture f;
    float *u8 = compute_fixture(file, &f);
    const size_t len = (size_t)f.length;
    hogfeat_hog_config *cfg = fixture_config(&f, file);
    float *f32 = compute_with(cfg, &f, 1, len, file);
    ck_assert_msg(memcmp(u8, f32, len * sizeof *u8) == 0, "%s: float input differs from uint8 input (max %.3g)",
                  file, test_max_abs_diff(u8, f32, len));
    free(u8);
    free(f32);
    hogfeat_hog_config_destroy(cfg);
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
    cmp_result r;

    double *self = malloc(n * sizeof *self);
    ck_assert_ptr_nonnull(self);
    for (size_t i = 0; i < n; i++)
        self[i] = (double)got[i];
    ck_assert(compare_descriptor(got, self, n, OPENCV_TOL, &r));
    ck_assert(r.max_delta == 0.0);

    int baseline = compare_descriptor(got, f.ref, n, OPENCV_TOL, &r);
    size_t k = n / 2;
    f.ref[k] += 1e-3;
    ck_assert_msg(!compare_descriptor(got, f.ref, n, OPENCV_TOL, &r),
                  "a reference value off by 1e-3 passed the comparison");
    ck_assert(r.max_delta >= 1e-3 - OPENCV_TOL);
    if (baseline)
        ck_assert_uint_eq(r.worst, k);
    f.ref[k] -= 2e-3;
    ck_assert(!compare_descriptor(got, f.ref, n, OPENCV_TOL, &r));

    /* Just over the tolerance fails, just under passes. */
    self[k] += 1.5e-4;
    ck_assert(!compare_descriptor(got, self, n, OPENCV_TOL, &r));
    ck_assert_uint_eq(r.worst, k);
    self[k] = (double)got[k] + 0.5e-4;
    ck_assert(compare_descriptor(got, self, n, OPENCV_TOL, &r));
    self[k] = (double)got[k];

    got[n - 1] = NAN;
    ck_assert(!compare_descriptor(got, self, n, OPENCV_TOL, &r));
    ck_assert_uint_eq(r.worst, n - 1);

    free(self);
    free(got);
    fixture_free(&f);
}
END_TEST

START_TEST(test_opencv_summary)
{
    ck_assert_msg(g_results_fd >= 0, "no results file");
    size_t cases = 0, failed = 0;
    double worst = 0.0;
    result_record rec;
    off_t off = 0;
    while (pread(g_results_fd, &rec, sizeof rec, off) == (ssize_t)sizeof rec) {
        off += (off_t)sizeof rec;
        cases++;
        if (!rec.pass)
            failed++;
        if (!(rec.max_delta <= worst)) /* NaN/inf propagate */
            worst = rec.max_delta;
    }
    printf("opencv: %zu cases, max |delta| %.2g (tolerance %g)", cases, worst, OPENCV_TOL);
    if (failed || cases != g_nfiles)
        printf(" (%zu over tolerance, %zu of %zu fixtures without a result)", failed, g_nfiles - cases, g_nfiles);
    printf("\n");
    fflush(stdout);
}
END_TEST

/* ---- validation --------------------------------------------------------- */

static hogfeat_hog_config *opencv_config(void)
{
    hogfeat_hog_config *c = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&c), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(c, HOGFEAT_HOG_PRESET_OPENCV), HOGFEAT_OK);
    return c;
}

START_TEST(test_validation)
{
    hogfeat_hog_config *c = opencv_config();
    test_rng rng = test_rng_seed(5);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 40, 24);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 40, 24, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 4 * 2 * 36); /* 5x3 cells: 4x2 blocks of 2x2 cells, 9 bins */
    float *out = guarded_buffer(len);

    ck_assert_int_eq(hogfeat_hog_compute(NULL, img, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute(c, NULL, out, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, NULL, len), HOGFEAT_ERR_NULL_POINTER);
    ck_assert(all_guard(out, len + 2));

    /* A short buffer writes nothing. */
    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, 0), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert(all_guard(out, len + 2));

    /* OpenCV normalises with L2-Hys only. */
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(c, HOGFEAT_NORM_L1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "L2-Hys"));
    ck_assert(all_guard(out, len + 2));
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(c, HOGFEAT_NORM_L2HYS), HOGFEAT_OK);

    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_OK);
    ck_assert(out[len] == GUARD_VALUE && out[len + 1] == GUARD_VALUE);
    for (size_t i = 0; i < len; i++)
        ck_assert(out[i] >= 0.0f && out[i] <= 1.0f);
    hogfeat_image_destroy(img);

    /* Smaller than a block (16x16 px) in either direction. */
    for (int k = 0; k < 3; k++) {
        size_t w = k == 1 ? 40 : 15, h = k == 2 ? 40 : 15;
        img = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, w, h);
        for (size_t i = 0; i < len + 2; i++)
            out[i] = GUARD_VALUE;
        ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_IMAGE_TOO_SMALL);
        ck_assert(all_guard(out, len + 2));
        hogfeat_image_destroy(img);
    }
    /* Exactly one block. */
    img = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 16, 16);
    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_OK);
    ck_assert(out[36] == GUARD_VALUE);
    hogfeat_image_destroy(img);

    free(out);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* A float image whose value at (x, y) is v; everything else random in [0, 1). */
static hogfeat_image *float_image_with(hogfeat_format fmt, size_t w, size_t h, size_t x, size_t y, float v)
{
    test_rng rng = test_rng_seed(99);
    hogfeat_image *img = test_random_image(&rng, fmt, w, h);
    float *p = hogfeat_image_writable_data(img);
    p[(y * w + x) * (size_t)hogfeat_image_channels(img)] = v;
    return img;
}

START_TEST(test_nonfinite_float)
{
    hogfeat_hog_config *c = opencv_config();
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 40, 24, &len), HOGFEAT_OK);
    float *out = guarded_buffer(len);
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    for (int f = 0; f < 2; f++) {
        hogfeat_format fmt = f ? HOGFEAT_FORMAT_F32_RGB : HOGFEAT_FORMAT_F32_GRAY;
        for (int k = 0; k < 3; k++) {
            /* Inside the window. */
            hogfeat_image *img = float_image_with(fmt, 40, 24, 7, 5, bad[k]);
            ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_NONFINITE);
            ck_assert(all_guard(out, len + 2));
            hogfeat_image_destroy(img);
            /* A 45-px image has the same 40-px window: column 40 feeds the
             * gradient of column 39, column 41 reaches nothing. */
            img = float_image_with(fmt, 45, 24, 40, 9, bad[k]);
            ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_NONFINITE);
            ck_assert(all_guard(out, len + 2));
            hogfeat_image_destroy(img);
            img = float_image_with(fmt, 45, 24, 41, 9, bad[k]);
            ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_OK);
            ck_assert(out[len] == GUARD_VALUE);
            for (size_t i = 0; i < len + 2; i++)
                out[i] = GUARD_VALUE;
            hogfeat_image_destroy(img);
        }
        /* A negative sample under the square root. */
        ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(c, 1), HOGFEAT_OK);
        hogfeat_image *img = float_image_with(fmt, 40, 24, 12, 20, -0.5f);
        ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_NONFINITE);
        ck_assert(all_guard(out, len + 2));
        hogfeat_image_destroy(img);
        ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(c, 0), HOGFEAT_OK);
        /* A difference that overflows float. */
        img = float_image_with(fmt, 40, 24, 20, 10, -3e38f);
        float *p = hogfeat_image_writable_data(img);
        p[(10 * 40 + 22) * (size_t)hogfeat_image_channels(img)] = 3e38f;
        ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_ERR_NONFINITE);
        ck_assert(all_guard(out, len + 2));
        hogfeat_image_destroy(img);
    }
    free(out);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* Gradients that are finite but whose block sums of squares overflow float
 * are reported before anything is written; large values that stay finite
 * take the same checked path and succeed. */
START_TEST(test_float_overflow)
{
    hogfeat_hog_config *c = opencv_config();
    const size_t w = 32, h = 32;
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, w, h, &len), HOGFEAT_OK);
    float *out = guarded_buffer(len);
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(HOGFEAT_FORMAT_F32_GRAY, w, h, &img), HOGFEAT_OK);
    float *p = hogfeat_image_writable_data(img);
    /* Vertical stripes 0, s: |gx| = s on every pixel. */
    const float scales[2] = {1e18f, 1e14f};
    for (int k = 0; k < 2; k++) {
        for (size_t y = 0; y < h; y++)
            for (size_t x = 0; x < w; x++)
                p[y * w + x] = ((x / 2) % 2) ? scales[k] : 0.0f;
        hogfeat_status st = hogfeat_hog_compute(c, img, out, len);
        if (k == 0) {
            ck_assert_int_eq(st, HOGFEAT_ERR_NONFINITE);
            ck_assert(all_guard(out, len + 2));
        } else {
            ck_assert_msg(st == HOGFEAT_OK, "%s", hogfeat_last_error_message());
            for (size_t i = 0; i < len; i++)
                ck_assert(isfinite(out[i]) && out[i] >= 0.0f && out[i] <= 1.0f);
        }
    }
    hogfeat_image_destroy(img);
    free(out);
    hogfeat_hog_config_destroy(c);
}
END_TEST

START_TEST(test_alloc_failure)
{
    hogfeat_hog_config *c = opencv_config();
    test_rng rng = test_rng_seed(71);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, 48, 48);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 48, 48, &len), HOGFEAT_OK);
    float *out = guarded_buffer(len);
    for (int persistent = 0; persistent <= 1; persistent++) {
        hogfeat__test_alloc_fail_at(1, persistent);
        hogfeat_status st = hogfeat_hog_compute(c, img, out, len);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        ck_assert_msg(st == HOGFEAT_ERR_OUT_OF_MEMORY, "persistent %d: compute returned %d", persistent, (int)st);
        ck_assert_uint_ge(failures, 1);
        ck_assert(all_guard(out, len + 2));
    }
    hogfeat__test_alloc_reset();
    size_t before = hogfeat__test_alloc_count();
    ck_assert_int_eq(hogfeat_hog_compute(c, img, out, len), HOGFEAT_OK);
    /* One workspace buffer per call, nothing else. */
    ck_assert_uint_eq(hogfeat__test_alloc_count() - before, 1);
    free(out);
    hogfeat_image_destroy(img);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* A kept workspace gives the same results across sizes and formats and
 * stops allocating once grown; the batch API agrees with single calls. */
START_TEST(test_workspace_and_batch)
{
    hogfeat_hog_config *c = opencv_config();
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(c, 4, 4), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_transform_sqrt(c, 1), HOGFEAT_OK);
    test_rng rng = test_rng_seed(1234);
    const hogfeat_format fmts[4] = {HOGFEAT_FORMAT_U8_GRAY, HOGFEAT_FORMAT_U8_RGB, HOGFEAT_FORMAT_F32_GRAY,
                                    HOGFEAT_FORMAT_F32_RGB};
    const size_t sizes[4][2] = {{64, 48}, {33, 29}, {70, 40}, {16, 20}};
    hogfeat__workspace ws;
    memset(&ws, 0, sizeof ws);
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 4; k++) {
            size_t w = sizes[k][0], h = sizes[k][1], len = 0;
            hogfeat_image *img = test_random_image(&rng, fmts[k], w, h);
            ck_assert_int_eq(hogfeat_hog_feature_length(c, w, h, &len), HOGFEAT_OK);
            float *a = guarded_buffer(len), *b = guarded_buffer(len);
            ck_assert_int_eq(hogfeat_hog_compute(c, img, a, len), HOGFEAT_OK);
            size_t before = hogfeat__test_alloc_count();
            ck_assert_int_eq(hogfeat__hog_compute_ws(c, img, b, len, &ws), HOGFEAT_OK);
            if (round == 1)
                ck_assert_uint_eq(hogfeat__test_alloc_count(), before);
            ck_assert_int_eq(memcmp(a, b, (len + 2) * sizeof *a), 0);
            free(a);
            free(b);
            hogfeat_image_destroy(img);
        }
        /* Grow the workspace to the largest size once, so round 1 allocates nothing. */
        if (round == 0) {
            hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_RGB, 70, 48);
            size_t len = 0;
            ck_assert_int_eq(hogfeat_hog_feature_length(c, 70, 48, &len), HOGFEAT_OK);
            float *a = guarded_buffer(len);
            ck_assert_int_eq(hogfeat__hog_compute_ws(c, img, a, len, &ws), HOGFEAT_OK);
            free(a);
            hogfeat_image_destroy(img);
        }
    }
    hogfeat__workspace_release(&ws);

    enum { N = 5 };
    hogfeat_image *imgs[N];
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 37, 41, &len), HOGFEAT_OK);
    float *batch = guarded_buffer(N * len), *one = guarded_buffer(len);
    for (int i = 0; i < N; i++)
        imgs[i] = test_random_image(&rng, i % 2 ? HOGFEAT_FORMAT_U8_RGB : HOGFEAT_FORMAT_U8_GRAY, 37, 41);
    ck_assert_int_eq(hogfeat_hog_compute_batch(c, (const hogfeat_image *const *)imgs, N, 3, batch, len, N * len),
                     HOGFEAT_OK);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(hogfeat_hog_compute(c, imgs[i], one, len), HOGFEAT_OK);
        ck_assert_int_eq(memcmp(batch + (size_t)i * len, one, len * sizeof *one), 0);
        hogfeat_image_destroy(imgs[i]);
    }
    free(batch);
    free(one);
    hogfeat_hog_config_destroy(c);
}
END_TEST

/* Behaviour that only the OpenCV preset has: pixels right of and below the
 * window feed its edge gradients; the window sigma and the block stride
 * change the result; signed bins differ from unsigned. */
START_TEST(test_window_and_options)
{
    hogfeat_hog_config *c = opencv_config();
    test_rng rng = test_rng_seed(77);
    hogfeat_image *big = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, 70, 133);
    const uint8_t *bp = hogfeat_image_data(big);
    size_t len = 0;
    ck_assert_int_eq(hogfeat_hog_feature_length(c, 70, 133, &len), HOGFEAT_OK);
    ck_assert_uint_eq(len, 3780); /* the 64x128 people-detector window */
    /* The same window cut out: only the edge gradients may differ. */
    hogfeat_image *crop = NULL;
    ck_assert_int_eq(hogfeat_image_wrap(bp, HOGFEAT_FORMAT_U8_GRAY, 64, 128, 70, &crop), HOGFEAT_OK);
    float *a = guarded_buffer(len), *b = guarded_buffer(len), *s = guarded_buffer(len);
    ck_assert_int_eq(hogfeat_hog_compute(c, big, a, len), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, crop, b, len), HOGFEAT_OK);
    ck_assert_msg(memcmp(a, b, len * sizeof *a) != 0, "the pixels beyond the window were not used");
    /* Block (0, 0) touches neither the right nor the bottom edge. */
    ck_assert_int_eq(memcmp(a, b, 36 * sizeof *a), 0);

    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, 8.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, big, s, len), HOGFEAT_OK);
    ck_assert(memcmp(a, s, len * sizeof *a) != 0);
    /* The default is (16 + 16) / 8 = 4 px: setting it changes nothing. */
    ck_assert_int_eq(hogfeat_hog_config_set_window_sigma(c, 4.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, big, s, len), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(a, s, len * sizeof *a), 0);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(c, 1), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(c, big, s, len), HOGFEAT_OK);
    ck_assert(memcmp(a, s, len * sizeof *a) != 0);
    free(a);
    free(b);
    free(s);
    hogfeat_image_destroy(crop);
    hogfeat_image_destroy(big);
    hogfeat_hog_config_destroy(c);
}
END_TEST

static Suite *opencv_suite(void)
{
    Suite *s = suite_create("opencv");

    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, test_fixture_inventory);
    suite_add_tcase(s, tc);

    tc = tcase_create("opencv-4.6");
    tcase_add_loop_test(tc, test_opencv_case, 0, (int)g_nfiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("skimage-layout");
    tcase_add_loop_test(tc, test_opencv_case_skimage_layout, 0, (int)g_nfiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("float-input");
    tcase_add_loop_test(tc, test_opencv_case_float_input, 0, (int)g_nfiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("compare-can-fail");
    tcase_add_test(tc, test_perturbed_reference_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("validation");
    tcase_add_test(tc, test_validation);
    suite_add_tcase(s, tc);

    tc = tcase_create("nonfinite");
    tcase_add_test(tc, test_nonfinite_float);
    tcase_add_test(tc, test_float_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("alloc-failure");
    tcase_add_test(tc, test_alloc_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("workspace-batch");
    tcase_add_test(tc, test_workspace_and_batch);
    suite_add_tcase(s, tc);

    tc = tcase_create("window-options");
    tcase_add_test(tc, test_window_and_options);
    suite_add_tcase(s, tc);

    tc = tcase_create("summary");
    tcase_add_test(tc, test_opencv_summary);
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
    int rc = test_run_suite(opencv_suite());
    if (results)
        fclose(results);
    free_inventory();
    return rc;
}
