/* Linear SVM interchange: LIBLINEAR's model text (save_model/load_model of
 * linear.cpp, version 2.x) both ways, and the detector vector of OpenCV's
 * cv::HOGDescriptor::setSVMDetector.
 *
 * LIBLINEAR writes numbers with printf after setlocale(LC_ALL, "C"), which
 * changes the whole process's locale under every other thread. Here numbers
 * are printed and parsed under a private "C" locale object installed for
 * the calling thread only (POSIX uselocale), so the text never depends on
 * LC_NUMERIC and no other thread sees a change. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

/* ---- the calling thread's "C" locale ---------------------------------------------- */

typedef struct c_numeric {
    locale_t c;
    locale_t previous;
} c_numeric;

static hogfeat_status c_numeric_enter(const char *fn, c_numeric *cn)
{
    cn->previous = (locale_t)0;
    cn->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (cn->c == (locale_t)0)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot create a C locale object", fn);
    cn->previous = uselocale(cn->c);
    return HOGFEAT_OK;
}

static void c_numeric_leave(c_numeric *cn)
{
    uselocale(cn->previous);
    freelocale(cn->c);
}

/* ---- export ------------------------------------------------------------------------ */

/* Text being produced: counts when buf is NULL, else writes (the caller
 * sized buf with a counting pass over the same, deterministic, output). */
typedef struct text_out {
    char *buf;
    size_t len;
    int overflow;
} text_out;

static void put_text(text_out *t, const char *s, size_t n)
{
    if (t->overflow || n > SIZE_MAX - t->len) {
        t->overflow = 1;
        return;
    }
    if (t->buf)
        memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void put_str(text_out *t, const char *s)
{
    put_text(t, s, strlen(s));
}

/* printf-style, under the thread's C locale (set by the caller). */
static void put_fmt(text_out *t, const char *fmt, ...) HOGFEAT_PRINTF(2, 3);

static void put_fmt(text_out *t, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        t->overflow = 1; /* unreachable: every number fits in 32 characters */
        return;
    }
    put_text(t, tmp, (size_t)n);
}

static const char *liblinear_solver_name(const hogfeat_linsvm *m)
{
    if (m->multiclass == HOGFEAT_SVM_CRAMMER_SINGER)
        return "MCSVM_CS";
    return m->loss == HOGFEAT_SVM_LOSS_HINGE ? "L2R_L1LOSS_SVC_DUAL" : "L2R_L2LOSS_SVC_DUAL";
}

/* The whole model text. LIBLINEAR's layout: a header, then "w" and one line
 * per feature (the bias feature last when bias >= 0) holding that feature's
 * weight for each of the nr_w vectors, each value followed by a space. */
static void emit_liblinear(const hogfeat_linsvm *m, text_out *t)
{
    const size_t k = (size_t)m->num_classes, d = m->num_features, row = d + 1;
    const int binary = m->num_vectors == 1;
    put_fmt(t, "solver_type %s\n", liblinear_solver_name(m));
    put_fmt(t, "nr_class %d\n", (int)m->num_classes);
    put_str(t, "label");
    /* LIBLINEAR's two-class w favours label[0]; ours favours labels[1]. */
    if (binary)
        put_fmt(t, " %d %d", (int)m->labels[1], (int)m->labels[0]);
    else
        for (size_t c = 0; c < k; c++)
            put_fmt(t, " %d", (int)m->labels[c]);
    put_fmt(t, "\nnr_feature %zu\n", d);
    /* B = 0 means no bias feature, which LIBLINEAR writes as -1. */
    if (m->bias > 0.0)
        put_fmt(t, "bias %.17g\n", m->bias);
    else
        put_str(t, "bias -1\n");
    put_str(t, "w\n");
    const size_t rows = m->bias > 0.0 ? d + 1 : d;
    for (size_t j = 0; j < rows; j++) {
        for (size_t v = 0; v < m->num_vectors; v++)
            put_fmt(t, "%.9g ", (double)m->weights[v * row + j]);
        put_str(t, "\n");
    }
}

static hogfeat_status check_exportable(const char *fn, const hogfeat_linsvm *m)
{
    if (m->multiclass == HOGFEAT_SVM_OVO)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND,
                             "%s: LIBLINEAR has no one-vs-one models; train one-vs-rest or Crammer-Singer", fn);
    if (m->num_classes > INT32_MAX || m->num_features > (size_t)INT32_MAX)
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: LIBLINEAR counts features in an int", fn);
    return HOGFEAT_OK;
}

/* Formats into a new buffer; *out_text is freed by the caller. */
static hogfeat_status liblinear_text(const char *fn, const hogfeat_linsvm *m, char *buffer, size_t capacity,
                                     size_t *out_size, char **out_text)
{
    hogfeat_status st = check_exportable(fn, m);
    if (st != HOGFEAT_OK)
        return st;
    c_numeric cn = {(locale_t)0, (locale_t)0};
    st = c_numeric_enter(fn, &cn);
    if (st != HOGFEAT_OK)
        return st;
    text_out t = {NULL, 0, 0};
    emit_liblinear(m, &t);
    if (t.overflow) {
        c_numeric_leave(&cn);
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: the model text overflows size_t", fn);
    }
    *out_size = t.len;
    char *dst = buffer;
    if (out_text) {
        dst = hogfeat__malloc(t.len ? t.len : 1);
        if (!dst) {
            c_numeric_leave(&cn);
            return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of text", fn, t.len);
        }
    } else if (!buffer || capacity < t.len) {
        c_numeric_leave(&cn);
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the model text needs %zu bytes; the buffer holds %zu",
                             fn, t.len, buffer ? capacity : (size_t)0);
    }
    text_out w = {dst, 0, 0};
    emit_liblinear(m, &w);
    c_numeric_leave(&cn);
    if (out_text)
        *out_text = dst;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_export_liblinear(const hogfeat_linsvm *model, char *buffer, size_t capacity,
                                               size_t *out_size)
{
    static const char fn[] = "hogfeat_linsvm_export_liblinear";
    if (!model || !out_size)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn, !model ? "model" : "out_size");
    return liblinear_text(fn, model, buffer, capacity, out_size, NULL);
}

hogfeat_status hogfeat_linsvm_export_liblinear_file(const hogfeat_linsvm *model, const char *path)
{
    static const char fn[] = "hogfeat_linsvm_export_liblinear_file";
    if (!model || !path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn, !model ? "model" : "path");
    char *text = NULL;
    size_t size = 0;
    hogfeat_status st = liblinear_text(fn, model, NULL, 0, &size, &text);
    if (st != HOGFEAT_OK)
        return st;
    st = hogfeat__write_file_atomic(path, text, size);
    hogfeat__free(text);
    if (st == HOGFEAT_ERR_INVALID_ARGUMENT) {
        /* An empty or overlong name: every failure to produce the file is an I/O error. */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", hogfeat_last_error_message());
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s", msg);
    }
    return st;
}

/* ---- import ------------------------------------------------------------------------ */

typedef struct text_in {
    const char *p, *end;
    size_t line; /* 1-based, for messages */
} text_in;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Next whitespace-separated token; 0 at the end of the text. */
static int next_token(text_in *in, const char **tok, size_t *len)
{
    while (in->p < in->end && is_space(*in->p)) {
        in->line += *in->p == '\n';
        in->p++;
    }
    if (in->p == in->end)
        return 0;
    *tok = in->p;
    while (in->p < in->end && !is_space(*in->p))
        in->p++;
    *len = (size_t)(in->p - *tok);
    return 1;
}

static int token_is(const char *tok, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/* A decimal integer token (optional sign, digits only) within [lo, hi]. */
static int parse_int(const char *tok, size_t len, long long lo, long long hi, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (tok[i] == '-' || tok[i] == '+'))
        neg = tok[i++] == '-';
    if (i == len)
        return 0;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return 0;
        if (v > (ULLONG_MAX - 9) / 10)
            return 0;
        v = v * 10 + (unsigned long long)(tok[i] - '0');
        if (v > (unsigned long long)LLONG_MAX)
            return 0;
    }
    long long s = neg ? -(long long)v : (long long)v;
    if (s < lo || s > hi)
        return 0;
    *out = s;
    return 1;
}

#define MAX_NUMBER_CHARS 127

/* A real number token by strtod under the thread's C locale (the caller
 * installed it): 1 parsed, 0 not a number. */
static int parse_real(const char *tok, size_t len, double *out)
{
    char buf[MAX_NUMBER_CHARS + 1];
    if (len == 0 || len > MAX_NUMBER_CHARS)
        return 0;
    memcpy(buf, tok, len);
    buf[len] = '\0';
    char *stop = NULL;
    const int saved_errno = errno; /* strtod may set ERANGE; the caller's errno is not ours to change */
    double v = strtod(buf, &stop);
    errno = saved_errno;
    if (stop != buf + len)
        return 0;
    *out = v; /* overflow gives +-HUGE_VAL, rejected as non-finite by the caller */
    return 1;
}

typedef enum ll_solver { LL_SUPPORTED_SQUARED, LL_SUPPORTED_HINGE, LL_SUPPORTED_CS, LL_OTHER_KNOWN } ll_solver;

static int solver_from_name(const char *tok, size_t len, ll_solver *out)
{
    static const char *const squared[] = {"L2R_L2LOSS_SVC_DUAL", "L2R_L2LOSS_SVC", "L1R_L2LOSS_SVC"};
    static const char *const other[] = {"L2R_LR",         "L1R_LR",          "L2R_LR_DUAL",
                                        "L2R_L2LOSS_SVR", "L2R_L2LOSS_SVR_DUAL", "L2R_L1LOSS_SVR_DUAL",
                                        "ONECLASS_SVM"};
    for (size_t i = 0; i < sizeof squared / sizeof squared[0]; i++)
        if (token_is(tok, len, squared[i])) {
            *out = LL_SUPPORTED_SQUARED;
            return 1;
        }
    if (token_is(tok, len, "L2R_L1LOSS_SVC_DUAL")) {
        *out = LL_SUPPORTED_HINGE;
        return 1;
    }
    if (token_is(tok, len, "MCSVM_CS")) {
        *out = LL_SUPPORTED_CS;
        return 1;
    }
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (token_is(tok, len, other[i])) {
            *out = LL_OTHER_KNOWN;
            return 1;
        }
    return 0;
}

/* Order of LIBLINEAR's labels by value, for the ascending class list. */
typedef struct label_slot {
    int32_t label;
    size_t column;
} label_slot;

static int compare_slot(const void *a, const void *b)
{
    const int32_t x = ((const label_slot *)a)->label, y = ((const label_slot *)b)->label;
    return (x > y) - (x < y);
}

/* A failure at a line of the text: FAIL_AT(status, "%zu: ...", line, ...). */
#define FAIL_AT(st, ...) hogfeat__fail((st), "LIBLINEAR model, line " __VA_ARGS__)

static hogfeat_status import_text(const char *text, size_t len, const hogfeat_limits *limits, size_t used,
                                  hogfeat_linsvm **out_model)
{
    if (len == 0)
        return hogfeat__fail(HOGFEAT_ERR_CORRUPT_DATA, "LIBLINEAR model text is empty (0 bytes)");
    text_in in = {text, text + len, 1};
    const char *tok = NULL;
    size_t tl = 0;
    int have_solver = 0, have_classes = 0, have_features = 0, have_bias = 0;
    ll_solver solver = LL_SUPPORTED_SQUARED;
    long long nr_class = 0, nr_feature = 0;
    double bias = -1.0;
    label_slot *slots = NULL;
    hogfeat_linsvm *m = NULL;
    hogfeat_status st = HOGFEAT_OK;
    c_numeric cn = {(locale_t)0, (locale_t)0};
    st = c_numeric_enter("hogfeat_linsvm_import_liblinear", &cn);
    if (st != HOGFEAT_OK)
        return st;
    const size_t max_classes = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_CLASSES);
    const size_t max_features = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_FEATURES);

    /* Header: keywords in any order, as load_model reads them, until "w". */
    for (;;) {
        if (!next_token(&in, &tok, &tl)) {
            st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: the text ends before the weights (no \"w\" line)",
                         in.line);
            goto done;
        }
        if (token_is(tok, tl, "w"))
            break;
        const size_t key_line = in.line;
        if (token_is(tok, tl, "solver_type")) {
            if (have_solver || !next_token(&in, &tok, &tl)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: solver_type is repeated or has no value", key_line);
                goto done;
            }
            if (!solver_from_name(tok, tl, &solver)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: unknown solver type '%.*s'", key_line,
                             (int)(tl > 40 ? 40 : tl), tok);
                goto done;
            }
            if (solver == LL_OTHER_KNOWN) {
                st = FAIL_AT(HOGFEAT_ERR_MODEL_KIND,
                             "%zu: solver type %.*s is not a linear SVM classifier this library holds (it reads "
                             "L2R_L2LOSS_SVC_DUAL, L2R_L2LOSS_SVC, L1R_L2LOSS_SVC, L2R_L1LOSS_SVC_DUAL, MCSVM_CS)",
                             key_line, (int)tl, tok);
                goto done;
            }
            have_solver = 1;
        } else if (token_is(tok, tl, "nr_class")) {
            if (have_classes || !next_token(&in, &tok, &tl) || !parse_int(tok, tl, LLONG_MIN, LLONG_MAX, &nr_class)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: nr_class is repeated or not an integer", key_line);
                goto done;
            }
            if (nr_class < 2) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: nr_class %lld; a classifier needs >= 2", key_line,
                             nr_class);
                goto done;
            }
            if ((unsigned long long)nr_class > max_classes || nr_class > INT32_MAX) {
                st = FAIL_AT(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu: nr_class %lld exceeds the limit of %zu classes",
                             key_line, nr_class, max_classes);
                goto done;
            }
            have_classes = 1;
        } else if (token_is(tok, tl, "label")) {
            if (!have_classes || slots) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: label comes %s", key_line,
                             slots ? "twice" : "before nr_class");
                goto done;
            }
            slots = hogfeat__malloc((size_t)nr_class * sizeof *slots);
            if (!slots) {
                st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %lld labels", nr_class);
                goto done;
            }
            for (size_t c = 0; c < (size_t)nr_class; c++) {
                long long v = 0;
                if (!next_token(&in, &tok, &tl) || !parse_int(tok, tl, INT32_MIN, INT32_MAX, &v)) {
                    st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: label %zu of %lld is missing or not an int32",
                                 in.line, c, nr_class);
                    goto done;
                }
                slots[c].label = (int32_t)v;
                slots[c].column = c;
            }
        } else if (token_is(tok, tl, "nr_feature")) {
            if (have_features || !next_token(&in, &tok, &tl) ||
                !parse_int(tok, tl, LLONG_MIN, LLONG_MAX, &nr_feature)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: nr_feature is repeated or not an integer", key_line);
                goto done;
            }
            if (nr_feature < 1) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: nr_feature %lld; a model needs >= 1", key_line,
                             nr_feature);
                goto done;
            }
            if ((unsigned long long)nr_feature > max_features || (unsigned long long)nr_feature >= SIZE_MAX) {
                st = FAIL_AT(HOGFEAT_ERR_LIMIT_EXCEEDED, "%zu: nr_feature %lld exceeds the limit of %zu",
                             key_line, nr_feature, max_features);
                goto done;
            }
            have_features = 1;
        } else if (token_is(tok, tl, "bias")) {
            if (have_bias || !next_token(&in, &tok, &tl) || !parse_real(tok, tl, &bias)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: bias is repeated or not a number", key_line);
                goto done;
            }
            if (!isfinite(bias)) {
                st = FAIL_AT(HOGFEAT_ERR_NONFINITE, "%zu: the bias is NaN or infinite", key_line);
                goto done;
            }
            have_bias = 1;
        } else {
            st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: unknown keyword '%.*s'", key_line,
                         (int)(tl > 40 ? 40 : tl), tok);
            goto done;
        }
    }
    if (!have_solver || !have_classes || !have_features || !have_bias || !slots) {
        st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: the header lacks %s", in.line,
                     !have_solver     ? "solver_type"
                     : !have_classes  ? "nr_class"
                     : !slots         ? "label"
                     : !have_features ? "nr_feature"
                                      : "bias");
        goto done;
    }

    const size_t k = (size_t)nr_class, d = (size_t)nr_feature;
    qsort(slots, k, sizeof *slots, compare_slot);
    for (size_t c = 1; c < k; c++) {
        if (slots[c].label == slots[c - 1].label) {
            st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: label %d appears twice", in.line, (int)slots[c].label);
            goto done;
        }
    }
    const hogfeat_svm_multiclass mc = solver == LL_SUPPORTED_CS ? HOGFEAT_SVM_CRAMMER_SINGER : HOGFEAT_SVM_OVR;
    const size_t vectors = hogfeat__linsvm_num_vectors(k, mc);
    size_t floats = 0, bytes = 0, budget_left = hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES);
    budget_left = used < budget_left ? budget_left - used : 0;
    if (hogfeat__mul_overflow(vectors, d + 1, &floats) || hogfeat__mul_overflow(floats, sizeof(float), &bytes) ||
        bytes > budget_left) {
        st = hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "LIBLINEAR model: %zu classes x %zu features exceed the "
                                                       "byte limit", k, d);
        goto done;
    }
    st = hogfeat__linsvm_new_multiclass((int32_t)k, d, mc, &m);
    if (st != HOGFEAT_OK)
        goto done;
    for (size_t c = 0; c < k; c++)
        m->labels[c] = slots[c].label;
    m->bias = bias > 0.0 ? bias : 0.0;
    m->loss = solver == LL_SUPPORTED_SQUARED ? HOGFEAT_SVM_LOSS_SQUARED_HINGE : HOGFEAT_SVM_LOSS_HINGE;
    /* C, tolerance and max_iterations are not in the text: 0, "not recorded". */

    /* Which model vector each text column feeds, and with which sign: a
     * two-class w favours LIBLINEAR's label[0], ours labels[1]. */
    const size_t nr_w = vectors;
    const int binary = nr_w == 1;
    const float sign = binary && slots[0].column == 0 ? -1.0f : 1.0f;
    size_t *column_vector = hogfeat__malloc(nr_w * sizeof *column_vector);
    if (!column_vector) {
        st = hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate %zu columns", nr_w);
        goto done;
    }
    for (size_t c = 0; c < nr_w; c++)
        column_vector[binary ? 0 : slots[c].column] = binary ? 0 : c;
    const size_t rows = bias >= 0.0 ? d + 1 : d, row = d + 1;
    for (size_t j = 0; j < rows && st == HOGFEAT_OK; j++) {
        for (size_t col = 0; col < nr_w; col++) {
            double v = 0.0;
            if (!next_token(&in, &tok, &tl)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: the weights end early: %zu of %zu rows", in.line,
                             j, rows);
                break;
            }
            if (!parse_real(tok, tl, &v)) {
                st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: weight '%.*s' is not a number", in.line,
                             (int)(tl > 40 ? 40 : tl), tok);
                break;
            }
            float f = (float)v;
            if (!isfinite(f)) {
                st = FAIL_AT(HOGFEAT_ERR_NONFINITE, "%zu: weight %zu of feature %zu is %s", in.line, col, j + 1,
                             isfinite(v) ? "beyond float range" : "NaN or infinite");
                break;
            }
            m->weights[column_vector[col] * row + j] = sign * f;
        }
    }
    hogfeat__free(column_vector);
    if (st == HOGFEAT_OK && next_token(&in, &tok, &tl))
        st = FAIL_AT(HOGFEAT_ERR_CORRUPT_DATA, "%zu: unexpected text after the weights", in.line);

done:
    c_numeric_leave(&cn);
    hogfeat__free(slots);
    if (st != HOGFEAT_OK) {
        hogfeat__linsvm_unref(m);
        return st;
    }
    *out_model = m;
    return HOGFEAT_OK;
}

hogfeat_status hogfeat_linsvm_import_liblinear(const char *text, size_t size, const hogfeat_limits *limits,
                                               hogfeat_linsvm **out_model)
{
    if (!out_model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_import_liblinear: out_model is NULL");
    *out_model = NULL;
    if (!text)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_import_liblinear: text is NULL");
    return import_text(text, size, limits, 0, out_model);
}

hogfeat_status hogfeat_linsvm_import_liblinear_file(const char *path, const hogfeat_limits *limits,
                                                    hogfeat_linsvm **out_model)
{
    if (!out_model)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_import_liblinear_file: out_model is NULL");
    *out_model = NULL;
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_linsvm_import_liblinear_file: path is NULL");
    unsigned char *data = NULL;
    size_t size = 0;
    hogfeat_status st = hogfeat__read_file(path, hogfeat__limit(limits, HOGFEAT_LIMIT_MAX_TOTAL_BYTES), &data, &size);
    if (st != HOGFEAT_OK)
        return st;
    st = import_text((const char *)data, size, limits, size, out_model);
    hogfeat__free(data);
    if (st != HOGFEAT_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", hogfeat_last_error_message());
        return hogfeat__fail(st, "%s: %s", path, msg);
    }
    return st;
}

/* ---- OpenCV ----------------------------------------------------------------------- */

hogfeat_status hogfeat_linsvm_export_opencv_detector(const hogfeat_linsvm *model, const hogfeat_hog_config *hog,
                                                     size_t width, size_t height, float *out, size_t capacity,
                                                     size_t *out_len)
{
    static const char fn[] = "hogfeat_linsvm_export_opencv_detector";
    if (!model || !hog || !out_len)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "%s: %s is NULL", fn,
                             !model ? "model" : !hog ? "hog" : "out_len");
    if (model->num_vectors != 1)
        return hogfeat__fail(HOGFEAT_ERR_MODEL_KIND,
                             "%s: a detector is one hyperplane; this model has %zu (%d classes)", fn,
                             model->num_vectors, (int)model->num_classes);
    size_t length = 0;
    hogfeat_status st = hogfeat_hog_feature_length(hog, width, height, &length);
    if (st != HOGFEAT_OK)
        return st;
    if (length != model->num_features)
        return hogfeat__fail(HOGFEAT_ERR_DIMENSION_MISMATCH,
                             "%s: HOG of %zux%zu pixels has %zu values; the model expects %zu", fn, width, height,
                             length, model->num_features);
    *out_len = length + 1;
    if (!out || capacity < length + 1)
        return hogfeat__fail(HOGFEAT_ERR_BUFFER_TOO_SMALL, "%s: the detector needs %zu floats; the buffer holds %zu",
                             fn, length + 1, out ? capacity : (size_t)0);
    st = hogfeat_hog_convert_layout(hog, width, height, model->weights, hog->layout, out, HOGFEAT_HOG_LAYOUT_OPENCV,
                                    capacity);
    if (st != HOGFEAT_OK)
        return st;
    /* OpenCV adds the last element (its rho) to w.x: the bias term w_b B. */
    out[length] = (float)((double)model->weights[length] * model->bias);
    return HOGFEAT_OK;
}
