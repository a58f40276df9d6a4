/* Reader of the fixture files of the descriptor tests (test-lbp.c,
 * test-fhog.c, test-gabor.c, test-visualize.c): a text header "MAGIC 1",
 * "key value" lines and "end", then little-endian binary payloads; and the
 * sorted list of a fixture directory's files. Each directory's README.md
 * describes its keys and payloads. Header-only, for Check tests. */
#ifndef HOGFEAT_TESTS_FIXTURE_H
#define HOGFEAT_TESTS_FIXTURE_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define FIX_MAX_KEYS 32
typedef struct fix {
    char path[PATH_MAX];
    unsigned char *data;
    size_t size, pos;
    int nkeys;
    char key[FIX_MAX_KEYS][32];
    char val[FIX_MAX_KEYS][256];
} fix;

static inline void fix_open(fix *f, const char *dir, const char *name, const char *magic)
{
    memset(f, 0, sizeof *f);
    size_t ld = strlen(dir), ln = strlen(name);
    ck_assert_msg(ld + ln + 2 <= sizeof f->path, "fixture path too long");
    memcpy(f->path, dir, ld);
    f->path[ld] = '/';
    memcpy(f->path + ld + 1, name, ln + 1);
    FILE *fp = fopen(f->path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", f->path);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long sz = ftell(fp);
    ck_assert_msg(sz > 0 && sz < (64L << 20), "%s: bad size %ld", f->path, sz);
    rewind(fp);
    f->size = (size_t)sz;
    f->data = malloc(f->size + 1);
    ck_assert_ptr_nonnull(f->data);
    ck_assert_uint_eq(fread(f->data, 1, f->size, fp), f->size);
    fclose(fp);
    int first = 1;
    for (;;) {
        size_t start = f->pos;
        while (f->pos < f->size && f->data[f->pos] != '\n')
            f->pos++;
        ck_assert_msg(f->pos < f->size, "%s: header not terminated", f->path);
        char line[320];
        size_t len = f->pos - start;
        ck_assert_msg(len < sizeof line, "%s: header line too long", f->path);
        memcpy(line, f->data + start, len);
        line[len] = '\0';
        f->pos++;
        if (first) {
            char expect[64];
            snprintf(expect, sizeof expect, "%s 1", magic);
            ck_assert_msg(strcmp(line, expect) == 0, "%s: not a '%s' file", f->path, expect);
            first = 0;
            continue;
        }
        if (strcmp(line, "end") == 0)
            break;
        char *sp = strchr(line, ' ');
        ck_assert_msg(sp && f->nkeys < FIX_MAX_KEYS, "%s: bad header line '%s'", f->path, line);
        *sp = '\0';
        ck_assert_msg(strlen(line) < sizeof f->key[0] && strlen(sp + 1) < sizeof f->val[0], "%s: header entry too long",
                      f->path);
        memcpy(f->key[f->nkeys], line, strlen(line) + 1);
        memcpy(f->val[f->nkeys], sp + 1, strlen(sp + 1) + 1);
        f->nkeys++;
    }
}

static inline const char *fix_str(const fix *f, const char *key)
{
    for (int i = 0; i < f->nkeys; i++)
        if (strcmp(f->key[i], key) == 0)
            return f->val[i];
    ck_abort_msg("%s: no key '%s'", f->path, key);
    return NULL;
}

static inline long fix_long(const fix *f, const char *key)
{
    const char *s = fix_str(f, key);
    char *end = NULL;
    long v = strtol(s, &end, 10);
    ck_assert_msg(*s && end && *end == '\0', "%s: %s is not an integer", f->path, key);
    return v;
}

static inline double fix_double(const fix *f, const char *key)
{
    const char *s = fix_str(f, key);
    char *end = NULL;
    double v = strtod(s, &end);
    ck_assert_msg(*s && end && *end == '\0', "%s: %s is not a number", f->path, key);
    return v;
}

static inline void fix_read(fix *f, void *dst, size_t bytes)
{
    ck_assert_msg(bytes <= f->size - f->pos, "%s: truncated", f->path);
    memcpy(dst, f->data + f->pos, bytes);
    f->pos += bytes;
}

/* n little-endian float64 values (the tests run on little-endian hosts). */
static inline double *fix_f64(fix *f, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    fix_read(f, v, n * sizeof *v);
    return v;
}

static inline void fix_close(fix *f)
{
    ck_assert_msg(f->pos == f->size, "%s: %zu trailing bytes", f->path, f->size - f->pos);
    free(f->data);
    f->data = NULL;
}

/* An owned image read from the fixture (packed rows). */
static inline hogfeat_image *fix_image(fix *f, hogfeat_format format, size_t w, size_t h)
{
    hogfeat_image *img = NULL;
    ck_assert_int_eq(hogfeat_image_create(format, w, h, &img), HOGFEAT_OK);
    size_t sample = (format == HOGFEAT_FORMAT_F32_GRAY || format == HOGFEAT_FORMAT_F32_RGB) ? 4 : 1;
    fix_read(f, hogfeat_image_writable_data(img), w * h * (size_t)hogfeat_image_channels(img) * sample);
    return img;
}

static inline int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.fix names of a fixture subdirectory; NULL list if absent. */
static inline char **list_fixtures(const char *dir, size_t *out_n)
{
    *out_n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".fix") != 0)
            continue;
        if (n == cap) {
            char **nn = realloc(names, 2 * cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
            cap *= 2;
        }
        names[n] = malloc(len + 1);
        if (!names[n])
            break;
        memcpy(names[n++], e->d_name, len + 1);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    *out_n = n;
    return names;
}

/* n little-endian float32 values. */
static inline float *fix_f32(fix *f, size_t n)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    fix_read(f, v, n * sizeof *v);
    return v;
}

#endif /* HOGFEAT_TESTS_FIXTURE_H */
