/* Pipelines with several descriptors and feature maps (pipeline.h, 0.5), and
 * KNN vote fractions.
 *
 * - Concatenation: a pipeline's vector equals hogfeat_hog_compute() and
 *   hogfeat_lbp_compute() of the same image laid end to end; batch equals
 *   single.
 * - Maps: chi-squared against scikit-learn 1.2's AdditiveChi2Sampler
 *   (tests/data/featmap/chi2.txt from tests/gen_featmap_fixtures.py,
 *   tolerance 2e-6 absolute on values <= 1); Hellinger, intersection and RBF
 *   against their formulas evaluated here in double; the RBF draw is
 *   deterministic per seed and independent of the input length's prefix.
 * - Model files: descriptors and maps survive save and load (features and
 *   predictions identical), plain pipelines keep format 1.1, a damaged DESC
 *   or FMAP section is refused with the documented status.
 * - Argument errors and allocation failures. */
#include "common.h"

#include <math.h>
#include <zlib.h>

#include "featmap.h"
#include "private.h"

#ifndef M_PI
#  define M_PI 3.14159265358979323846
#endif

#define W 40
#define H 32

static hogfeat_hog_config *hog_with_cell(int32_t cell)
{
    hogfeat_hog_config *c = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&c), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_cell_size(c, cell, cell), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_size(c, 2, 2), HOGFEAT_OK);
    return c;
}

static hogfeat_lbp_config *lbp_uniform(int32_t cell)
{
    hogfeat_lbp_config *l = NULL;
    ck_assert_int_eq(hogfeat_lbp_config_create(&l), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(l, HOGFEAT_LBP_UNIFORM), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_config_set_cell_size(l, cell, cell), HOGFEAT_OK);
    return l;
}

/* HOG cells 4, then HOG cells 8, then LBP uniform cells 8. */
static hogfeat_pipeline *three_part_pipeline(void)
{
    hogfeat_hog_config *h4 = hog_with_cell(4), *h8 = hog_with_cell(8);
    hogfeat_lbp_config *l = lbp_uniform(8);
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(h4, &p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_hog(p, h8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_lbp(p, l), HOGFEAT_OK);
    /* The pipeline holds copies. */
    hogfeat_hog_config_destroy(h4);
    hogfeat_hog_config_destroy(h8);
    hogfeat_lbp_config_destroy(l);
    return p;
}

static float *extract(const hogfeat_pipeline *p, const hogfeat_image *img, size_t *out_n)
{
    size_t n = 0;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, hogfeat_image_width(img), hogfeat_image_height(img), &n),
                     HOGFEAT_OK);
    float *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(hogfeat_pipeline_extract(p, img, x, n), HOGFEAT_OK);
    *out_n = n;
    return x;
}

START_TEST(test_concatenation)
{
    hogfeat_pipeline *p = three_part_pipeline();
    ck_assert_uint_eq(hogfeat_pipeline_num_descriptors(p), 3);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_kind(p, 0), HOGFEAT_DESCRIPTOR_HOG);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_kind(p, 1), HOGFEAT_DESCRIPTOR_HOG);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_kind(p, 2), HOGFEAT_DESCRIPTOR_LBP);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_kind(p, 3), 0);
    ck_assert_ptr_eq(hogfeat_pipeline_descriptor_hog(p, 0), hogfeat_pipeline_hog_config(p));
    ck_assert_ptr_null(hogfeat_pipeline_descriptor_hog(p, 2));
    ck_assert_ptr_null(hogfeat_pipeline_descriptor_lbp(p, 1));
    ck_assert_ptr_nonnull(hogfeat_pipeline_descriptor_lbp(p, 2));
    ck_assert_int_eq(hogfeat_hog_config_get_cell_width(hogfeat_pipeline_descriptor_hog(p, 1)), 8);
    ck_assert_int_eq(hogfeat_pipeline_feature_map(p), HOGFEAT_FEATURE_MAP_NONE);

    size_t len[3], total = 0;
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(hogfeat_pipeline_descriptor_length(p, i, W, H, &len[i]), HOGFEAT_OK);
        total += len[i];
    }
    /* HOG 4: 10x8 cells, 9x7 blocks of 36; HOG 8: 5x4 cells, 4x3 blocks; LBP: 5x4 cells of 10 bins. */
    ck_assert_uint_eq(len[0], 9 * 7 * 36);
    ck_assert_uint_eq(len[1], 4 * 3 * 36);
    ck_assert_uint_eq(len[2], 5 * 4 * 10);

    test_rng rng = test_rng_seed(81);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    size_t n = 0;
    float *x = extract(p, img, &n);
    ck_assert_uint_eq(n, total);
    float *want = malloc(total * sizeof *want);
    ck_assert_ptr_nonnull(want);
    ck_assert_int_eq(hogfeat_hog_compute(hogfeat_pipeline_descriptor_hog(p, 0), img, want, len[0]), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_compute(hogfeat_pipeline_descriptor_hog(p, 1), img, want + len[0], len[1]),
                     HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_lbp_compute(hogfeat_pipeline_descriptor_lbp(p, 2), img, want + len[0] + len[1], len[2]),
                     HOGFEAT_OK);
    ck_assert_int_eq(memcmp(x, want, total * sizeof *x), 0);

    /* Batch, two threads: the same rows. */
    enum { N = 5 };
    hogfeat_image *imgs[N];
    for (int i = 0; i < N; i++)
        imgs[i] = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    float *batch = malloc(N * total * sizeof *batch);
    ck_assert_ptr_nonnull(batch);
    ck_assert_int_eq(hogfeat_pipeline_extract_batch(p, (const hogfeat_image *const *)imgs, N, 2, batch, total,
                                                    N * total),
                     HOGFEAT_OK);
    for (int i = 0; i < N; i++) {
        size_t m = 0;
        float *one = extract(p, imgs[i], &m);
        ck_assert_int_eq(memcmp(one, batch + (size_t)i * total, total * sizeof *one), 0);
        free(one);
        hogfeat_image_destroy(imgs[i]);
    }
    /* A colour image reaches the LBP descriptor: refused with its status. */
    hogfeat_image *rgb = test_random_image(&rng, HOGFEAT_FORMAT_U8_RGB, W, H);
    ck_assert_int_eq(hogfeat_pipeline_extract(p, rgb, want, total), HOGFEAT_ERR_UNSUPPORTED_FORMAT);
    hogfeat_image_destroy(rgb);
    free(batch);
    free(want);
    free(x);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* Every descriptor reads the same preprocessed image, whichever scratch the
 * ones before it used (regression: an OpenCV-order HOG reused the buffer of
 * the blurred image, and a later descriptor read freed memory). Each part
 * must equal a one-descriptor pipeline with the same preprocessing. */
START_TEST(test_descriptors_share_no_buffers)
{
    hogfeat_hog_config *h4 = hog_with_cell(4), *h8 = hog_with_cell(8);
    ck_assert_int_eq(hogfeat_hog_config_set_layout(h4, HOGFEAT_HOG_LAYOUT_OPENCV), HOGFEAT_OK);
    hogfeat_lbp_config *l = lbp_uniform(8);
    test_rng rng = test_rng_seed(88);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W + 7, H + 5);
    for (int variant = 0; variant < 4; variant++) {
        const double blur = variant & 1 ? 1.3 : 0.0;
        const size_t rw = variant & 2 ? W : 0, rh = variant & 2 ? H : 0;
        hogfeat_pipeline *parts[3] = {NULL, NULL, NULL}, *all = NULL;
        const hogfeat_hog_config *firsts[3] = {h4, h8, h4};
        for (int i = 0; i < 3; i++)
            ck_assert_int_eq(hogfeat_pipeline_create(firsts[i], &parts[i]), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_add_lbp(parts[2], l), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_create(h4, &all), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_add_hog(all, h8), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_add_lbp(all, l), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_pipeline_set_feature_map(all, HOGFEAT_FEATURE_MAP_CHI2, 2, 0.0), HOGFEAT_OK);
        hogfeat_pipeline *each[4] = {parts[0], parts[1], parts[2], all};
        for (int i = 0; i < 4; i++) {
            ck_assert_int_eq(hogfeat_pipeline_set_blur(each[i], blur), HOGFEAT_OK);
            ck_assert_int_eq(hogfeat_pipeline_set_resize(each[i], rw, rh), HOGFEAT_OK);
        }
        size_t n0 = 0, n1 = 0, n2 = 0, n = 0;
        float *a = extract(parts[0], img, &n0), *b = extract(parts[1], img, &n1);
        float *c = extract(parts[2], img, &n2), *got = extract(all, img, &n);
        const size_t lbp_len = n2 - n0; /* parts[2] is HOG 4 then the LBP */
        const size_t total = n0 + n1 + lbp_len;
        ck_assert_uint_eq(n, 3 * total);
        float *concat = malloc(total * sizeof *concat), *want = malloc(n * sizeof *want);
        ck_assert(concat && want);
        memcpy(concat, a, n0 * sizeof *a);
        memcpy(concat + n0, b, n1 * sizeof *b);
        memcpy(concat + n0 + n1, c + n0, lbp_len * sizeof *c);
        hogfeat__map map;
        memset(&map, 0, sizeof map);
        map.kind = HOGFEAT_FEATURE_MAP_CHI2;
        map.param = 2;
        map.param2 = 0.5;
        hogfeat__map_apply(&map, concat, total, want);
        ck_assert_msg(memcmp(got, want, n * sizeof *got) == 0, "variant %d (blur %g, resize %zux%zu) differs", variant,
                      blur, rw, rh);
        /* The batch path (one workspace reused over images) gives the same. */
        const hogfeat_image *list[2] = {img, img};
        float *rows = malloc(2 * n * sizeof *rows);
        ck_assert_ptr_nonnull(rows);
        ck_assert_int_eq(hogfeat_pipeline_extract_batch(all, list, 2, 1, rows, n, 2 * n), HOGFEAT_OK);
        ck_assert_int_eq(memcmp(rows, want, n * sizeof *rows), 0);
        ck_assert_int_eq(memcmp(rows + n, want, n * sizeof *rows), 0);
        free(rows);
        free(want);
        free(concat);
        free(a);
        free(b);
        free(c);
        free(got);
        for (int i = 0; i < 4; i++)
            hogfeat_pipeline_destroy(each[i]);
    }
    hogfeat_image_destroy(img);
    hogfeat_lbp_config_destroy(l);
    hogfeat_hog_config_destroy(h8);
    hogfeat_hog_config_destroy(h4);
}
END_TEST

/* ---- maps ---------------------------------------------------------------------- */

START_TEST(test_hellinger)
{
    hogfeat_pipeline *p = three_part_pipeline();
    test_rng rng = test_rng_seed(82);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_F32_GRAY, W, H);
    size_t n = 0, m = 0;
    float *plain = extract(p, img, &n);
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_HELLINGER, 0, 0.0), HOGFEAT_OK);
    float *mapped = extract(p, img, &m);
    ck_assert_uint_eq(m, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_float_eq(mapped[i], sqrtf(plain[i]));
    /* Back to none: the plain vector again. */
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_NONE, 0, 0.0), HOGFEAT_OK);
    float *again = extract(p, img, &m);
    ck_assert_int_eq(memcmp(again, plain, n * sizeof *plain), 0);
    free(again);
    free(mapped);
    free(plain);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* Reads the next case of chi2.txt; 0 at the end. */
static int read_chi2_case(FILE *f, int *steps, double *interval, size_t *n, double **x, double **y)
{
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        unsigned long nn = 0;
        ck_assert_int_eq(sscanf(line, "case %d %lf %lu", steps, interval, &nn), 3);
        *n = nn;
        size_t outs = nn * (size_t)(2 * *steps - 1);
        *x = malloc(nn * sizeof **x);
        *y = malloc(outs * sizeof **y);
        ck_assert(*x && *y);
        for (size_t i = 0; i < nn; i++)
            ck_assert_int_eq(fscanf(f, "%lf", &(*x)[i]), 1);
        for (size_t i = 0; i < outs; i++)
            ck_assert_int_eq(fscanf(f, "%lf", &(*y)[i]), 1);
        (void)fgets(line, sizeof line, f); /* the rest of the last line */
        return 1;
    }
    return 0;
}

START_TEST(test_chi2_matches_scikit_learn)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/featmap/chi2.txt", test_fixture_dir());
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    int cases = 0, steps = 0;
    double interval = 0.0, *x = NULL, *y = NULL, worst = 0.0;
    size_t n = 0;
    while (read_chi2_case(f, &steps, &interval, &n, &x, &y)) {
        hogfeat__map map;
        memset(&map, 0, sizeof map);
        double resolved = 0.0;
        /* The defaults resolve to the fixture's interval for 1 to 3 steps. */
        ck_assert_int_eq(hogfeat__map_check(HOGFEAT_FEATURE_MAP_CHI2, steps, steps <= 3 ? 0.0 : interval, &resolved),
                         HOGFEAT_OK);
        ck_assert_double_eq_tol(resolved, interval, 1e-15);
        map.kind = HOGFEAT_FEATURE_MAP_CHI2;
        map.param = steps;
        map.param2 = resolved;
        size_t outs = 0;
        ck_assert_int_eq(hogfeat__map_output_length(&map, n, &outs), HOGFEAT_OK);
        ck_assert_uint_eq(outs, n * (size_t)(2 * steps - 1));
        float *in = malloc(n * sizeof *in), *out = malloc(outs * sizeof *out);
        ck_assert(in && out);
        for (size_t i = 0; i < n; i++)
            in[i] = (float)x[i];
        hogfeat__map_apply(&map, in, n, out);
        for (size_t i = 0; i < outs; i++) {
            double d = fabs((double)out[i] - y[i]);
            worst = d > worst ? d : worst;
            ck_assert_msg(d <= 2e-6, "steps %d, output %zu: %.9g, scikit-learn %.9g", steps, i, out[i], y[i]);
        }
        free(in);
        free(out);
        free(x);
        free(y);
        cases++;
    }
    fclose(f);
    ck_assert_int_eq(cases, 4);
    printf("chi2: %d cases, max |delta| against scikit-learn %.3g\n", cases, worst);
}
END_TEST

START_TEST(test_chi2_and_intersection_in_pipeline)
{
    hogfeat_pipeline *p = three_part_pipeline();
    test_rng rng = test_rng_seed(83);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    size_t n = 0, m = 0;
    float *plain = extract(p, img, &n);

    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_CHI2, 2, 0.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_feature_map_param(p), 2);
    ck_assert_double_eq(hogfeat_pipeline_feature_map_param2(p), 0.5);
    float *chi = extract(p, img, &m);
    ck_assert_uint_eq(m, 3 * n);
    for (size_t i = 0; i < n; i++) {
        double x = plain[i], L = 0.5;
        double b0 = x > 0 ? sqrt(x * L) : 0.0;
        double f = x > 0 ? sqrt(2.0 * x * L / cosh(M_PI * L)) : 0.0;
        double c = x > 0 ? f * cos(L * log(x)) : 0.0, s = x > 0 ? f * sin(L * log(x)) : 0.0;
        ck_assert_double_eq_tol(chi[i], b0, 1e-6);
        ck_assert_double_eq_tol(chi[n + i], c, 1e-6);
        ck_assert_double_eq_tol(chi[2 * n + i], s, 1e-6);
    }

    /* Intersection, 3 steps: VLFeat's order (5 contiguous values per input)
     * and its default period. */
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_INTERSECTION, 3, 0.0), HOGFEAT_OK);
    const double L = 2.0 * M_PI / (2.38 * log(2.8) + 5.6);
    ck_assert_double_eq_tol(hogfeat_pipeline_feature_map_param2(p), L, 1e-15);
    float *inter = extract(p, img, &m);
    ck_assert_uint_eq(m, 5 * n);
    for (size_t i = 0; i < n; i++) {
        double x = plain[i];
        for (int j = 0; j < 3; j++) {
            double w = j * L, kappa = (2.0 / M_PI) / (1.0 + 4.0 * w * w);
            if (j == 0) {
                ck_assert_double_eq_tol(inter[5 * i], x > 0 ? sqrt(x * L * kappa) : 0.0, 1e-6);
                continue;
            }
            double f = x > 0 ? sqrt(2.0 * x * L * kappa) : 0.0;
            ck_assert_double_eq_tol(inter[5 * i + 2 * j - 1], x > 0 ? f * cos(j * L * log(x)) : 0.0, 1e-6);
            ck_assert_double_eq_tol(inter[5 * i + 2 * j], x > 0 ? f * sin(j * L * log(x)) : 0.0, 1e-6);
        }
    }
    free(inter);
    free(chi);
    free(plain);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_rbf_map)
{
    hogfeat_pipeline *p = three_part_pipeline();
    test_rng rng = test_rng_seed(84);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    size_t n = 0, m = 0;
    float *plain = extract(p, img, &n);
    enum { D = 257 };
    const double gamma = 0.05;
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, D, gamma, 7), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_feature_map(p), HOGFEAT_FEATURE_MAP_RBF);
    ck_assert_int_eq(hogfeat_pipeline_feature_map_param(p), D);
    ck_assert_double_eq(hogfeat_pipeline_feature_map_param2(p), gamma);
    ck_assert_int_eq(hogfeat_pipeline_feature_map_seed(p), 7);
    ck_assert_uint_eq(hogfeat_pipeline_feature_map_input_length(p), n);
    float *w = malloc(n * D * sizeof *w), b[D];
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(p, w, n * D - 1, b, D), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(p, w, n * D, b, D), HOGFEAT_OK);

    /* Draw statistics: offsets in (0, 2 pi), weights N(0, 2 gamma). */
    double sum = 0.0, sq = 0.0;
    for (size_t i = 0; i < n * D; i++) {
        sum += w[i];
        sq += (double)w[i] * w[i];
    }
    double mean = sum / (double)(n * D), var = sq / (double)(n * D) - mean * mean;
    ck_assert_double_lt(fabs(mean), 0.01);
    ck_assert_double_lt(fabs(var / (2.0 * gamma) - 1.0), 0.02);
    for (int j = 0; j < D; j++)
        ck_assert(b[j] > 0.0f && b[j] < 6.2832f);

    float *z = extract(p, img, &m);
    ck_assert_uint_eq(m, D);
    for (int j = 0; j < D; j++) {
        double acc = 0.0;
        for (size_t i = 0; i < n; i++)
            acc += (double)plain[i] * w[i * D + (size_t)j];
        double want = sqrt(2.0 / D) * cos(acc + b[j]);
        ck_assert_double_eq_tol(z[j], want, 2e-5);
    }

    /* Same seed, same map; another seed, another map. */
    hogfeat_pipeline *q = three_part_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(q, W, H, D, gamma, 7), HOGFEAT_OK);
    float *w2 = malloc(n * D * sizeof *w2), b2[D];
    ck_assert_ptr_nonnull(w2);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(q, w2, n * D, b2, D), HOGFEAT_OK);
    ck_assert_int_eq(memcmp(w, w2, n * D * sizeof *w), 0);
    ck_assert_int_eq(memcmp(b, b2, sizeof b), 0);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(q, W, H, D, gamma, 8), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(q, w2, n * D, b2, D), HOGFEAT_OK);
    ck_assert_int_ne(memcmp(w, w2, n * D * sizeof *w), 0);

    /* Drawn for one input length: another image size no longer fits. */
    size_t len = 0;
    ck_assert_int_eq(hogfeat_pipeline_feature_length(p, W + 8, H, &len), HOGFEAT_ERR_DIMENSION_MISMATCH);
    /* Adding a descriptor afterwards changes n: mismatch as well. */
    hogfeat_hog_config *h6 = hog_with_cell(6);
    ck_assert_int_eq(hogfeat_pipeline_add_hog(q, h6), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_feature_length(q, W, H, &len), HOGFEAT_ERR_DIMENSION_MISMATCH);
    hogfeat_hog_config_destroy(h6);
    /* No RBF map, no parameters; the RBF map is not set through set_feature_map. */
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(q, HOGFEAT_FEATURE_MAP_HELLINGER, 0, 0.0), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(q, w2, n * D, b2, D), HOGFEAT_ERR_MODEL_KIND);
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(q, HOGFEAT_FEATURE_MAP_RBF, 0, 0.0),
                     HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_rbf_parameters(NULL, w2, 1, b2, 1), HOGFEAT_ERR_NULL_POINTER);
    free(w2);
    free(z);
    free(w);
    free(plain);
    hogfeat_image_destroy(img);
    hogfeat_pipeline_destroy(q);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* ---- model files ---------------------------------------------------------------- */

static hogfeat_linsvm *random_svm(int32_t k, size_t dim, uint64_t seed)
{
    hogfeat_linsvm *m = NULL;
    ck_assert_int_eq(hogfeat__linsvm_new(k, dim, &m), HOGFEAT_OK);
    test_rng rng = test_rng_seed(seed);
    for (int32_t i = 0; i < k; i++)
        m->labels[i] = i + 1;
    for (size_t i = 0; i < m->num_vectors * (dim + 1); i++)
        m->weights[i] = 2.0f * test_rng_float(&rng) - 1.0f;
    m->bias = 1.0;
    m->loss = HOGFEAT_SVM_LOSS_SQUARED_HINGE;
    m->c = 1.0;
    m->tolerance = 0.1;
    m->max_iterations = 1000;
    return m;
}

static unsigned char *save_to_memory(const hogfeat_pipeline *p, size_t *out_size)
{
    size_t size = 0;
    ck_assert_int_eq(hogfeat_pipeline_save(p, NULL, 0, &size), HOGFEAT_ERR_BUFFER_TOO_SMALL);
    unsigned char *buf = malloc(size);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(hogfeat_pipeline_save(p, buf, size, &size), HOGFEAT_OK);
    *out_size = size;
    return buf;
}

/* Recomputes the CRC-32 trailer after a deliberate edit. */
static void reseal(unsigned char *buf, size_t size)
{
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        buf[size - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

/* Offset of section tag's payload, or 0. */
static size_t find_section(const unsigned char *buf, size_t size, const char tag[4])
{
    size_t pos = 24;
    while (pos + 16 <= size - 4) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--)
            len = len << 8 | buf[pos + 8 + (size_t)i];
        if (memcmp(buf + pos, tag, 4) == 0)
            return pos + 16;
        pos += 16 + (size_t)len;
    }
    return 0;
}

static void check_roundtrip(hogfeat_pipeline *p, unsigned minor)
{
    test_rng rng = test_rng_seed(85);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    size_t n = 0;
    float *x = extract(p, img, &n);
    hogfeat_linsvm *svm = random_svm(4, n, 3);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm);
    int32_t want = 0, got = 0;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &want), HOGFEAT_OK);

    size_t size = 0;
    unsigned char *buf = save_to_memory(p, &size);
    ck_assert_uint_eq((unsigned)(buf[10] | buf[11] << 8), minor);
    hogfeat_pipeline *q = NULL;
    ck_assert_int_eq(hogfeat_pipeline_load(buf, size, NULL, &q), HOGFEAT_OK);
    ck_assert_uint_eq(hogfeat_pipeline_num_descriptors(q), hogfeat_pipeline_num_descriptors(p));
    ck_assert_int_eq(hogfeat_pipeline_feature_map(q), hogfeat_pipeline_feature_map(p));
    ck_assert_int_eq(hogfeat_pipeline_feature_map_param(q), hogfeat_pipeline_feature_map_param(p));
    ck_assert_double_eq(hogfeat_pipeline_feature_map_param2(q), hogfeat_pipeline_feature_map_param2(p));
    ck_assert_int_eq(hogfeat_pipeline_feature_map_seed(q), hogfeat_pipeline_feature_map_seed(p));
    size_t m = 0;
    float *y = extract(q, img, &m);
    ck_assert_uint_eq(m, n);
    ck_assert_int_eq(memcmp(x, y, n * sizeof *x), 0);
    ck_assert_int_eq(hogfeat_pipeline_predict(q, img, &got), HOGFEAT_OK);
    ck_assert_int_eq(got, want);
    /* Saving the loaded pipeline gives the same bytes. */
    size_t size2 = 0;
    unsigned char *buf2 = save_to_memory(q, &size2);
    ck_assert_uint_eq(size2, size);
    ck_assert_int_eq(memcmp(buf, buf2, size), 0);
    /* The bare classifier still loads from a file with DESC and FMAP. */
    hogfeat_linsvm *bare = NULL;
    ck_assert_int_eq(hogfeat_linsvm_load(buf, size, NULL, &bare), HOGFEAT_OK);
    hogfeat_linsvm_destroy(bare);
    free(buf2);
    free(buf);
    free(y);
    free(x);
    hogfeat_pipeline_destroy(q);
    hogfeat_image_destroy(img);
}

START_TEST(test_model_roundtrip)
{
    /* Plain pipeline: format 1.1, no DESC or FMAP. */
    hogfeat_hog_config *h4 = hog_with_cell(4);
    hogfeat_pipeline *plain = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(h4, &plain), HOGFEAT_OK);
    hogfeat_hog_config_destroy(h4);
    check_roundtrip(plain, 1);
    size_t size = 0;
    unsigned char *buf = save_to_memory(plain, &size);
    ck_assert_uint_eq(find_section(buf, size, "DESC"), 0);
    ck_assert_uint_eq(find_section(buf, size, "FMAP"), 0);
    free(buf);
    /* A HOG that cannot compute (OpenCV preset, L1 blocks) is not saved. */
    hogfeat_hog_config *bad = hog_with_cell(8);
    ck_assert_int_eq(hogfeat_hog_config_set_preset(bad, HOGFEAT_HOG_PRESET_OPENCV), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_block_norm(bad, HOGFEAT_NORM_L1), HOGFEAT_OK);
    hogfeat_pipeline *unsavable = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(bad, &unsavable), HOGFEAT_OK);
    hogfeat_linsvm *one = random_svm(2, 4, 1);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(unsavable, one), HOGFEAT_OK);
    hogfeat_linsvm_destroy(one);
    size_t need = 0;
    ck_assert_int_eq(hogfeat_pipeline_save(unsavable, NULL, 0, &need), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_save_file(unsavable, "/nonexistent/never-written"), HOGFEAT_ERR_INVALID_ARGUMENT);
    hogfeat_pipeline_destroy(unsavable);
    hogfeat_hog_config_destroy(bad);
    /* Hellinger alone makes an FMAP section without DESC. */
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(plain, HOGFEAT_FEATURE_MAP_HELLINGER, 0, 0.0), HOGFEAT_OK);
    check_roundtrip(plain, 3);
    hogfeat_pipeline_destroy(plain);

    hogfeat_pipeline *p = three_part_pipeline();
    check_roundtrip(p, 3);
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_CHI2, 3, 0.0), HOGFEAT_OK);
    check_roundtrip(p, 3);
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_INTERSECTION, 2, 0.7), HOGFEAT_OK);
    check_roundtrip(p, 3);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 64, 0.1, -12), HOGFEAT_OK);
    check_roundtrip(p, 3);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_damaged_sections)
{
    hogfeat_pipeline *p = three_part_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 16, 0.1, 3), HOGFEAT_OK);
    hogfeat_linsvm *svm = random_svm(3, 16, 4);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm);
    size_t size = 0;
    unsigned char *good = save_to_memory(p, &size);
    unsigned char *buf = malloc(size);
    ck_assert_ptr_nonnull(buf);
    const size_t desc = find_section(good, size, "DESC"), fmap = find_section(good, size, "FMAP");
    ck_assert_uint_gt(desc, 0);
    ck_assert_uint_gt(fmap, 0);
    hogfeat_pipeline *q = NULL;
    struct {
        size_t offset;
        uint32_t value;
        hogfeat_status want;
        const char *what;
    } edits[] = {
        {desc, 0, HOGFEAT_ERR_CORRUPT_DATA, "DESC count 0"},
        {desc, 64, HOGFEAT_ERR_CORRUPT_DATA, "DESC count too large"},
        {desc + 4, 9, HOGFEAT_ERR_CORRUPT_DATA, "unknown descriptor kind"},
        {desc + 8, 0, HOGFEAT_ERR_CORRUPT_DATA, "HOG with 0 orientations"},
        {desc + 12, 0x80000000u, HOGFEAT_ERR_CORRUPT_DATA, "HOG cell width above INT32_MAX"},
        {fmap, 77, HOGFEAT_ERR_CORRUPT_DATA, "unknown map kind"},
        {fmap + 4, 17, HOGFEAT_ERR_CORRUPT_DATA, "RBF D against the section length"},
        {fmap + 4, 0, HOGFEAT_ERR_CORRUPT_DATA, "RBF with 0 components"},
        {fmap + 28, 0x7FC00000u, HOGFEAT_ERR_NONFINITE, "NaN weight"},
        {fmap + 28, 0x49742400u, HOGFEAT_ERR_CORRUPT_DATA, "weight 1e6"},
        {fmap + 32, 0xC9742400u, HOGFEAT_ERR_CORRUPT_DATA, "weight -1e6"},
        {fmap + 12, 0x7FE00000u, HOGFEAT_ERR_CORRUPT_DATA, "gamma 1.4e308 (high word of the f64)"},
    };
    /* The last offset made -1, then 7: outside [0, 2 pi]. */
    const size_t last_offset = fmap + 28 + 4 * (hogfeat_pipeline_feature_map_input_length(p) * 16 + 15);
    for (uint32_t bits = 0xBF800000u; bits != 0; bits = bits == 0xBF800000u ? 0x40E00000u : 0) {
        memcpy(buf, good, size);
        for (int b = 0; b < 4; b++)
            buf[last_offset + (size_t)b] = (unsigned char)(bits >> (8 * b));
        reseal(buf, size);
        ck_assert_int_eq(hogfeat_pipeline_load(buf, size, NULL, &q), HOGFEAT_ERR_CORRUPT_DATA);
        ck_assert_ptr_null(q);
    }
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(buf, good, size);
        for (int b = 0; b < 4; b++)
            buf[edits[i].offset + (size_t)b] = (unsigned char)(edits[i].value >> (8 * b));
        reseal(buf, size);
        q = (hogfeat_pipeline *)buf; /* must be reset to NULL */
        ck_assert_msg(hogfeat_pipeline_load(buf, size, NULL, &q) == edits[i].want, "%s: got %s (%s)", edits[i].what,
                      hogfeat_strerror(hogfeat_pipeline_load(buf, size, NULL, &q)), hogfeat_last_error_message());
        ck_assert_ptr_null(q);
        /* The classifier readers refuse the file as well: it is valid for all or none. */
        hogfeat_linsvm *bare = NULL;
        ck_assert_int_eq(hogfeat_linsvm_load(buf, size, NULL, &bare), edits[i].want);
    }
    /* The second HOG made OpenCV-preset with L1 blocks (the setters take it,
     * hogfeat_hog_compute refuses it): refused on load. */
    memcpy(buf, good, size);
    for (int b = 0; b < 4; b++) {
        buf[desc + 8 + 28 + (size_t)b] = (unsigned char)((uint32_t)HOGFEAT_NORM_L1 >> (8 * b));
        buf[desc + 8 + 40 + (size_t)b] = (unsigned char)((uint32_t)HOGFEAT_HOG_PRESET_OPENCV >> (8 * b));
    }
    reseal(buf, size);
    ck_assert_int_eq(hogfeat_pipeline_load(buf, size, NULL, &q), HOGFEAT_ERR_CORRUPT_DATA);
    ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "OpenCV preset"));
    /* A limit on features below the RBF matrix: LIMIT_EXCEEDED. */
    hogfeat_limits *lim = NULL;
    ck_assert_int_eq(hogfeat_limits_create(&lim), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_limits_set(lim, HOGFEAT_LIMIT_MAX_FEATURES, 15), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_load(good, size, lim, &q), HOGFEAT_ERR_LIMIT_EXCEEDED);
    hogfeat_limits_destroy(lim);
    /* Unchanged, it loads. */
    ck_assert_int_eq(hogfeat_pipeline_load(good, size, NULL, &q), HOGFEAT_OK);
    hogfeat_pipeline_destroy(q);
    free(buf);
    free(good);
    hogfeat_pipeline_destroy(p);
}
END_TEST

START_TEST(test_argument_errors)
{
    hogfeat_hog_config *h = hog_with_cell(4);
    hogfeat_lbp_config *l = lbp_uniform(8);
    hogfeat_pipeline *p = NULL;
    ck_assert_int_eq(hogfeat_pipeline_create(h, &p), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_hog(NULL, h), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_add_hog(p, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_pipeline_add_lbp(p, NULL), HOGFEAT_ERR_NULL_POINTER);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(l, HOGFEAT_LBP_VAR), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_lbp(p, l), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(hogfeat_pipeline_num_descriptors(p), 1);
    ck_assert_uint_eq(hogfeat_pipeline_num_descriptors(NULL), 0);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_kind(NULL, 0), 0);
    ck_assert_int_eq(hogfeat_pipeline_feature_map(NULL), 0);
    size_t len = 99;
    ck_assert_int_eq(hogfeat_pipeline_descriptor_length(p, 1, W, H, &len), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(len, 99);
    ck_assert_int_eq(hogfeat_pipeline_descriptor_length(p, 0, W, H, NULL), HOGFEAT_ERR_NULL_POINTER);

    /* Map parameters: every kind's rules; the pipeline is unchanged on failure. */
    ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, HOGFEAT_FEATURE_MAP_HELLINGER, 0, 0.0), HOGFEAT_OK);
    const struct {
        int kind, steps;
        double interval;
    } bad[] = {
        {HOGFEAT_FEATURE_MAP_HELLINGER, 1, 0.0}, {HOGFEAT_FEATURE_MAP_NONE, 0, 0.5},
        {HOGFEAT_FEATURE_MAP_CHI2, 0, 0.0},      {HOGFEAT_FEATURE_MAP_CHI2, 17, 0.1},
        {HOGFEAT_FEATURE_MAP_CHI2, 4, 0.0},      {HOGFEAT_FEATURE_MAP_CHI2, 2, -1.0},
        {HOGFEAT_FEATURE_MAP_CHI2, 2, NAN},      {HOGFEAT_FEATURE_MAP_INTERSECTION, 2, INFINITY},
        {HOGFEAT_FEATURE_MAP_RBF, 0, 0.0},       {0, 0, 0.0},
        {HOGFEAT_FEATURE_MAP_CHI2, 2, HOGFEAT_FEATURE_MAP_MAX_INTERVAL * 1.01},
        {HOGFEAT_FEATURE_MAP_INTERSECTION, 1, 1e300},
        {99, 0, 0.0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(hogfeat_pipeline_set_feature_map(p, (hogfeat_feature_map)bad[i].kind, bad[i].steps,
                                                          bad[i].interval),
                         HOGFEAT_ERR_INVALID_ARGUMENT);
        ck_assert_int_eq(hogfeat_pipeline_feature_map(p), HOGFEAT_FEATURE_MAP_HELLINGER);
        ck_assert_ptr_nonnull(strstr(hogfeat_last_error_message(), "map"));
    }
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 0, 1.0, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, HOGFEAT_FEATURE_MAP_MAX_COMPONENTS + 1, 1.0, 1),
                     HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 8, 0.0, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 8, NAN, 1), HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 8, HOGFEAT_FEATURE_MAP_MAX_GAMMA * 2, 1),
                     HOGFEAT_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, 2, 2, 8, 1.0, 1), HOGFEAT_ERR_IMAGE_TOO_SMALL);
    ck_assert_int_eq(hogfeat_pipeline_feature_map(p), HOGFEAT_FEATURE_MAP_HELLINGER);

    /* At most HOGFEAT_PIPELINE_MAX_DESCRIPTORS descriptors. */
    for (int i = 1; i < HOGFEAT_PIPELINE_MAX_DESCRIPTORS; i++)
        ck_assert_int_eq(hogfeat_pipeline_add_hog(p, h), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_hog(p, h), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_int_eq(hogfeat_lbp_config_set_method(l, HOGFEAT_LBP_UNIFORM), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_pipeline_add_lbp(p, l), HOGFEAT_ERR_LIMIT_EXCEEDED);
    ck_assert_uint_eq(hogfeat_pipeline_num_descriptors(p), HOGFEAT_PIPELINE_MAX_DESCRIPTORS);
    hogfeat_lbp_config_destroy(l);
    hogfeat_hog_config_destroy(h);
    hogfeat_pipeline_destroy(p);
}
END_TEST

/* ---- KNN vote fractions ----------------------------------------------------------- */

START_TEST(test_knn_predict_proba)
{
    enum { N = 60, D = 6, Q = 25, K = 3 };
    test_rng rng = test_rng_seed(86);
    float x[N * D], q[Q * D];
    int32_t y[N];
    const int32_t names[K] = {7, -2, 40};
    for (int i = 0; i < N; i++) {
        y[i] = names[i % K];
        for (int j = 0; j < D; j++)
            x[i * D + j] = test_rng_float(&rng) + (float)(i % K) * (j == i % K ? 0.8f : 0.0f);
    }
    for (int i = 0; i < Q * D; i++)
        q[i] = test_rng_float(&rng) * 1.5f;
    for (int weighting = HOGFEAT_KNN_UNIFORM; weighting <= HOGFEAT_KNN_DISTANCE; weighting++) {
        hogfeat_knn_params *params = NULL;
        ck_assert_int_eq(hogfeat_knn_params_create(&params), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_knn_params_set_k(params, 5), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_knn_params_set_weighting(params, (hogfeat_knn_weighting)weighting), HOGFEAT_OK);
        hogfeat_knn *m = NULL;
        ck_assert_int_eq(hogfeat_knn_fit(params, x, N, D, D, y, &m), HOGFEAT_OK);
        hogfeat_knn_params_destroy(params);
        int32_t classes[K], labels[Q];
        ck_assert_int_eq(hogfeat_knn_get_labels(m, classes, K), HOGFEAT_OK);
        float proba[Q * K];
        ck_assert_int_eq(hogfeat_knn_predict_proba(m, q, Q, D, D, proba, Q * K - 1), HOGFEAT_ERR_BUFFER_TOO_SMALL);
        ck_assert_int_eq(hogfeat_knn_predict_proba(m, q, Q, D, D, proba, Q * K), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_knn_predict(m, q, Q, D, D, labels), HOGFEAT_OK);
        size_t idx[Q * 5];
        float dist[Q * 5];
        ck_assert_int_eq(hogfeat_knn_kneighbors(m, q, Q, D, D, 5, idx, dist, Q * 5), HOGFEAT_OK);
        int fractional = 0;
        for (int i = 0; i < Q; i++) {
            double want[K] = {0}, sum = 0.0;
            for (int t = 0; t < 5; t++) {
                double v = weighting == HOGFEAT_KNN_DISTANCE ? 1.0 / dist[i * 5 + t] : 1.0;
                for (int c = 0; c < K; c++)
                    want[c] += y[idx[i * 5 + t]] == classes[c] ? v : 0.0;
                sum += v;
            }
            int best = 0;
            double row = 0.0;
            for (int c = 0; c < K; c++) {
                ck_assert_double_eq_tol(proba[i * K + c], want[c] / sum, 1e-5);
                row += proba[i * K + c];
                best = proba[i * K + c] > proba[i * K + best] ? c : best;
                fractional += proba[i * K + c] > 0.0f && proba[i * K + c] < 1.0f;
            }
            ck_assert_double_eq_tol(row, 1.0, 1e-5);
            /* The largest fraction is the predicted class (exact ties aside). */
            int tied = 0;
            for (int c = 0; c < K; c++)
                tied += proba[i * K + c] == proba[i * K + best];
            if (tied == 1)
                ck_assert_int_eq(labels[i], classes[best]);
        }
        ck_assert_int_gt(fractional, 0);
        ck_assert_int_eq(hogfeat_knn_predict_proba(m, q, 0, D, D, NULL, 0), HOGFEAT_OK);
        ck_assert_int_eq(hogfeat_knn_predict_proba(m, q, Q, D - 1, D, proba, Q * K), HOGFEAT_ERR_DIMENSION_MISMATCH);
        ck_assert_int_eq(hogfeat_knn_predict_proba(NULL, q, Q, D, D, proba, Q * K), HOGFEAT_ERR_NULL_POINTER);
        q[3] = NAN;
        ck_assert_int_eq(hogfeat_knn_predict_proba(m, q, Q, D, D, proba, Q * K), HOGFEAT_ERR_NONFINITE);
        q[3] = 0.5f;
        hogfeat_knn_destroy(m);
    }
}
END_TEST

/* ---- allocation failures ------------------------------------------------------------- */

START_TEST(test_alloc_failures)
{
    test_rng rng = test_rng_seed(87);
    hogfeat_image *img = test_random_image(&rng, HOGFEAT_FORMAT_U8_GRAY, W, H);
    hogfeat_hog_config *h8 = hog_with_cell(8);
    hogfeat_lbp_config *l = lbp_uniform(8);
    long n;
    /* Building: add_hog, add_lbp, set_rbf_map. */
    for (n = 1; n < 50; n++) {
        hogfeat_pipeline *p = three_part_pipeline();
        hogfeat_pipeline *fresh = NULL;
        hogfeat_hog_config *h4 = hog_with_cell(4);
        ck_assert_int_eq(hogfeat_pipeline_create(h4, &fresh), HOGFEAT_OK);
        hogfeat_hog_config_destroy(h4);
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_pipeline_add_hog(fresh, h8);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_add_lbp(fresh, l);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_set_rbf_map(p, W, H, 32, 0.2, 1);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        hogfeat_pipeline_destroy(fresh);
        hogfeat_pipeline_destroy(p);
        if (st == HOGFEAT_OK) {
            ck_assert_uint_eq(failures, 0);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    }
    ck_assert_int_ge(n, 4); /* extension, LBP copy, weights, offsets */
    ck_assert_int_lt(n, 50);

    /* Extract, save and load of a pipeline with every kind of part. */
    hogfeat_pipeline *p = three_part_pipeline();
    ck_assert_int_eq(hogfeat_pipeline_set_rbf_map(p, W, H, 32, 0.2, 1), HOGFEAT_OK);
    hogfeat_linsvm *svm = random_svm(3, 32, 5);
    ck_assert_int_eq(hogfeat_pipeline_set_linsvm(p, svm), HOGFEAT_OK);
    hogfeat_linsvm_destroy(svm);
    size_t size = 0;
    unsigned char *buf = save_to_memory(p, &size);
    int32_t want = 0;
    ck_assert_int_eq(hogfeat_pipeline_predict(p, img, &want), HOGFEAT_OK);
    for (n = 1; n < 200; n++) {
        hogfeat_pipeline *q = NULL;
        int32_t label = -1;
        hogfeat__test_alloc_fail_at(n, 0);
        hogfeat_status st = hogfeat_pipeline_load(buf, size, NULL, &q);
        if (st == HOGFEAT_OK)
            st = hogfeat_pipeline_predict(q, img, &label);
        size_t failures = hogfeat__test_alloc_failures();
        hogfeat__test_alloc_reset();
        hogfeat_pipeline_destroy(q);
        if (st == HOGFEAT_OK) {
            ck_assert_uint_eq(failures, 0);
            ck_assert_int_eq(label, want);
            break;
        }
        ck_assert_int_eq(st, HOGFEAT_ERR_OUT_OF_MEMORY);
    }
    ck_assert_int_lt(n, 200);
    free(buf);
    hogfeat_pipeline_destroy(p);
    hogfeat_lbp_config_destroy(l);
    hogfeat_hog_config_destroy(h8);
    hogfeat_image_destroy(img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("featmap");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"concatenation", test_concatenation},
        {"descriptors_share_no_buffers", test_descriptors_share_no_buffers},
        {"hellinger", test_hellinger},
        {"chi2_matches_scikit_learn", test_chi2_matches_scikit_learn},
        {"chi2_and_intersection_in_pipeline", test_chi2_and_intersection_in_pipeline},
        {"rbf_map", test_rbf_map},
        {"model_roundtrip", test_model_roundtrip},
        {"damaged_sections", test_damaged_sections},
        {"argument_errors", test_argument_errors},
        {"knn_predict_proba", test_knn_predict_proba},
        {"alloc_failures", test_alloc_failures},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return test_run_suite(s);
}
