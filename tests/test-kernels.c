/* The kernel tables (lib/kernels/) against the exact reference.
 *
 * Tolerances: orientation bins must be exact (a kernel may always answer
 * HOGFEAT__BIN_RECHECK instead, the caller then asks
 * hogfeat__hog_reference_bin); magnitudes, histograms and normalised blocks
 * agree with straightforward double-precision code within 1e-6 relative;
 * the classifiers' vector kernels (dot, axpy, distances) within 1e-5 of the
 * sum of |terms|, as kernels.h allows reassociated sums. */
#include <float.h>

#include "common.h"
#include "private.h"
#include "kernels/kernels.h"

/* ck_assert_msg records a checkpoint (a write to Check's log) on every pass;
 * hot loops use this instead, which only calls into Check on failure. */
#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (!(cond))                                                                                      \
            ck_abort_msg(__VA_ARGS__);                                                                    \
    } while (0)

/* Every kernel table this build has and this CPU runs (scalar first), then
 * hogfeat__kernels_get(), the table the library uses; filled in main(). */
static const hogfeat__kernels *tables[8];
static int n_tables;
#define N_TABLES n_tables

static const int32_t orientations[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 18, 36, 180, 360};
#define N_ORIENT ((int)(sizeof orientations / sizeof orientations[0]))
#define N_CONFIGS (2 * N_ORIENT)

#define TOL_REL 1e-6
#define SENTINEL_VALUE (-7777.25f)
#define PI 3.14159265358979323846

/* Bin parameters of configuration k: orientations[k / 2], signed k % 2. */
static hogfeat__binparams binparams(int k)
{
    hogfeat_hog_config *cfg = NULL;
    ck_assert_int_eq(hogfeat_hog_config_create(&cfg), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_orientations(cfg, orientations[k / 2]), HOGFEAT_OK);
    ck_assert_int_eq(hogfeat_hog_config_set_signed_orientations(cfg, k % 2), HOGFEAT_OK);
    hogfeat__binparams bp = cfg->bins;
    hogfeat_hog_config_destroy(cfg);
    ck_assert_int_eq(bp.nbins, orientations[k / 2]);
    ck_assert_int_eq(bp.is_signed, k % 2);
    return bp;
}

static double log_uniform(test_rng *r, double lo, double hi)
{
    return exp(log(lo) + (double)test_rng_float(r) * (log(hi) - log(lo)));
}

static float random_sign(test_rng *r)
{
    return test_rng_below(r, 2) ? 1.0f : -1.0f;
}

/* Runs grad_bin_row on 3x3 rows whose middle pixel has exactly (gx, gy)
 * (base + g - base is exact when base is 0). Returns the bin; *mag, *ret too. */
static uint16_t bin_of_pair(const hogfeat__kernels *k, const hogfeat__binparams *bp, float base, float gx, float gy,
                            float *mag, size_t *ret)
{
    const float prev[3] = {0.0f, base, 0.0f};
    const float cur[3] = {base, 0.0f, base + gx};
    const float next[3] = {0.0f, base + gy, 0.0f};
    float m[3] = {-1.0f, -1.0f, -1.0f};
    uint16_t b[3] = {0xABCD, 0xABCD, 0xABCD};
    size_t r = k->grad_bin_row(prev, cur, next, 1, 3, 2, bp, m, b);
    CHECK(b[2] == 0xABCD && m[2] == -1.0f, "%s: grad_bin_row wrote past count", k->name);
    *ret = r - (b[0] == HOGFEAT__BIN_RECHECK);
    *mag = m[1];
    return b[1];
}

/* ---- (1) exhaustive integer gradients, scalar table -------------------- */

START_TEST(test_exhaustive_integer_bins)
{
    const hogfeat__kernels *k = &hogfeat__kernels_scalar;
    const int lim = 255;
    const size_t pairs = (size_t)(2 * lim + 1) * (size_t)(2 * lim + 1);
    double worst_small = 0.0, worst_any = 0.0;
    int worst_small_k = 0, worst_any_k = 0;
    size_t minus_one = 0;
    for (int c = 0; c < N_CONFIGS; c++) {
        hogfeat__binparams bp = binparams(c);
        const int32_t n = bp.nbins;
        size_t rechecks = 0;
        for (int gy = -lim; gy <= lim; gy++) {
            for (int gx = -lim; gx <= lim; gx++) {
                float mag;
                size_t ret;
                uint16_t b = bin_of_pair(k, &bp, 300.0f, (float)gx, (float)gy, &mag, &ret);
                float want_mag = (float)sqrt((double)(gx * gx + gy * gy));
                if (mag != want_mag)
                    ck_abort_msg("n=%d signed=%d (gx, gy) = (%d, %d): magnitude %.9g, expected %.9g", (int)n,
                                 bp.is_signed, gx, gy, (double)mag, (double)want_mag);
                if (ret != (b == HOGFEAT__BIN_RECHECK))
                    ck_abort_msg("(%d, %d): grad_bin_row returned %zu rechecks for bin %u", gx, gy, ret, (unsigned)b);
                if (b == HOGFEAT__BIN_RECHECK) {
                    rechecks++;
                    minus_one += hogfeat__hog_reference_bin(gx, gy, n, bp.is_signed) < 0;
                    continue;
                }
                int ref = hogfeat__hog_reference_bin(gx, gy, n, bp.is_signed);
                if (ref < 0)
                    ck_abort_msg("n=%d signed=%d (gx, gy) = (%d, %d): reference has no bin, kernel says %u instead of "
                                 "RECHECK",
                                 (int)n, bp.is_signed, gx, gy, (unsigned)b);
                if ((int)b != ref)
                    ck_abort_msg("n=%d signed=%d (gx, gy) = (%d, %d), angle %.12g deg: kernel bin %u, reference %d",
                                 (int)n, bp.is_signed, gx, gy, atan2((double)gy, (double)gx) * 180.0 / PI,
                                 (unsigned)b, ref);
            }
        }
        double frac = (double)rechecks / (double)pairs;
        if (n <= 36 && frac > worst_small) {
            worst_small = frac;
            worst_small_k = c;
        }
        if (frac > worst_any) {
            worst_any = frac;
            worst_any_k = c;
        }
        CHECK(n > 36 || frac < 0.01, "n=%d signed=%d: %.3f%% of integer gradients rechecked (limit 1%%)", (int)n,
                      bp.is_signed, 100.0 * frac);
    }
    printf("exhaustive integer bins: worst recheck fraction %.4f%% (n=%d signed=%d) for n <= 36, %.4f%% (n=%d "
           "signed=%d) overall; %zu rechecked pairs had no reference bin\n",
           100.0 * worst_small, (int)orientations[worst_small_k / 2], worst_small_k % 2, 100.0 * worst_any,
           (int)orientations[worst_any_k / 2], worst_any_k % 2, minus_one);
}
END_TEST

/* ---- (2) random float gradients, every table --------------------------- */

typedef struct pair_stats {
    size_t checked, rechecks;
} pair_stats;

static void check_pair(const hogfeat__kernels *k, const hogfeat__binparams *bp, float gx, float gy, pair_stats *st,
                       const char *what)
{
    float mag;
    size_t ret;
    uint16_t b = bin_of_pair(k, bp, 0.0f, gx, gy, &mag, &ret);
    st->checked++;
    if (ret != (b == HOGFEAT__BIN_RECHECK))
        ck_abort_msg("%s: (%a, %a) returned %zu rechecks for bin %u", k->name, (double)gx, (double)gy, ret,
                     (unsigned)b);
    double want_mag = hypot((double)gx, (double)gy);
    if (isfinite(want_mag) && want_mag < 1e18 && want_mag > 1e-18 &&
        !(fabs((double)mag - want_mag) <= TOL_REL * want_mag))
        ck_abort_msg("%s %s: (%.9g, %.9g): magnitude %.9g, expected %.9g", k->name, what, (double)gx, (double)gy,
                     (double)mag, want_mag);
    if (b == HOGFEAT__BIN_RECHECK) {
        st->rechecks++;
        return;
    }
    int ref = hogfeat__hog_reference_bin(gx, gy, bp->nbins, bp->is_signed);
    if ((int)b != ref)
        ck_abort_msg("%s %s: n=%d signed=%d (gx, gy) = (%a, %a) = (%.9g, %.9g), angle %.12g deg: kernel bin %u, "
                     "reference %d (-1: none, kernel must RECHECK)",
                     k->name, what, (int)bp->nbins, bp->is_signed, (double)gx, (double)gy, (double)gx, (double)gy,
                     atan2((double)gy, (double)gx) * 180.0 / PI, (unsigned)b, ref);
}

#define N_RANDOM 2000000
#define N_NEAR_EDGE_PER_CONFIG 12000

START_TEST(test_random_bins)
{
    const hogfeat__kernels *k = tables[_i];
    hogfeat__binparams bp[N_CONFIGS];
    for (int c = 0; c < N_CONFIGS; c++)
        bp[c] = binparams(c);
    test_rng rng = test_rng_seed(0xB1A5);
    pair_stats rnd = {0, 0}, edge = {0, 0}, special = {0, 0};

    /* Random pairs, magnitudes 1e-3..1e3: half by polar angle, half by independent components. */
    for (long i = 0; i < N_RANDOM; i++) {
        float gx, gy;
        if (i % 2 == 0) {
            double r = log_uniform(&rng, 1e-3, 1e3), th = 2.0 * PI * (double)test_rng_float(&rng);
            gx = (float)(r * cos(th));
            gy = (float)(r * sin(th));
        } else {
            gx = random_sign(&rng) * (float)log_uniform(&rng, 1e-3, 1e3);
            gy = random_sign(&rng) * (float)log_uniform(&rng, 1e-3, 1e3);
        }
        check_pair(k, &bp[i % N_CONFIGS], gx, gy, &rnd, "random");
    }

    /* Angles within 1e-7..1e-3 rad of every bin edge, either side. */
    for (int c = 0; c < N_CONFIGS; c++) {
        const int32_t n = bp[c].nbins;
        const double width = (bp[c].is_signed ? 2.0 * PI : PI) / n;
        for (int j = 0; j < N_NEAR_EDGE_PER_CONFIG; j++) {
            int e = (int)test_rng_below(&rng, (uint32_t)n);
            double th = e * width + (double)random_sign(&rng) * log_uniform(&rng, 1e-7, 1e-3);
            if (!bp[c].is_signed && test_rng_below(&rng, 2))
                th += PI; /* the same unsigned orientation, other half plane */
            double r = log_uniform(&rng, 1e-3, 1e3);
            check_pair(k, &bp[c], (float)(r * cos(th)), (float)(r * sin(th)), &edge, "near-edge");
        }
    }

    /* Extremes: tiny against large components, subnormals, huge values, exact axes and diagonals. */
    const float v[] = {1e-30f, 1e-3f, 1.0f, 3.0f, 1e3f, 1e30f, FLT_MIN, FLT_TRUE_MIN, 3.0f * FLT_TRUE_MIN, FLT_MAX};
    const int nv = (int)(sizeof v / sizeof v[0]);
    for (int c = 0; c < N_CONFIGS; c++)
        for (int a = 0; a < nv; a++)
            for (int b = 0; b < nv; b++)
                for (int s = 0; s < 4; s++) {
                    float gx = s & 1 ? -v[a] : v[a], gy = s & 2 ? -v[b] : v[b];
                    check_pair(k, &bp[c], gx, gy, &special, "extreme");
                    check_pair(k, &bp[c], gx, 0.0f, &special, "extreme axis");
                    check_pair(k, &bp[c], 0.0f, gy, &special, "extreme axis");
                }

    /* Non-finite gradients: the kernel must not hand back a bin the caller
     * trusts with a finite magnitude (the caller's NaN check relies on it). */
    const float nf[] = {NAN, INFINITY, -INFINITY, 0.0f, 1.0f, -2.5f};
    for (int c = 0; c < N_CONFIGS; c++)
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 6; b++) {
                if (a >= 3 && b >= 3)
                    continue;
                float mag;
                size_t ret;
                uint16_t bin = bin_of_pair(k, &bp[c], 0.0f, nf[a], nf[b], &mag, &ret);
                CHECK(bin == HOGFEAT__BIN_RECHECK || !isfinite(mag),
                              "%s: non-finite gradient (%g, %g) gave bin %u and finite magnitude %g", k->name,
                              (double)nf[a], (double)nf[b], (unsigned)bin, (double)mag);
            }

    printf("%s: recheck fraction %.4f%% of %zu random pairs, %.2f%% of %zu near-edge pairs, %.2f%% of %zu extremes\n",
           k->name, 100.0 * (double)rnd.rechecks / (double)rnd.checked, rnd.checked,
           100.0 * (double)edge.rechecks / (double)edge.checked, edge.checked,
           100.0 * (double)special.rechecks / (double)special.checked, special.checked);
}
END_TEST

/* Whole rows: 1 and 3 channels, borders, count < width, prev/next NULL. */
START_TEST(test_grad_bin_rows)
{
    const hogfeat__kernels *k = tables[_i];
    test_rng rng = test_rng_seed(0x5EED + (uint64_t)_i);
    enum { MAXW = 70 };
    float prev[MAXW * 3], cur[MAXW * 3], next[MAXW * 3], mag[MAXW + 4];
    uint16_t bin[MAXW + 4];
    hogfeat__binparams all_bp[N_CONFIGS];
    for (int c = 0; c < N_CONFIGS; c++)
        all_bp[c] = binparams(c);
    for (int iter = 0; iter < 20000; iter++) {
        hogfeat__binparams bp = all_bp[test_rng_below(&rng, N_CONFIGS)];
        int nc = test_rng_below(&rng, 2) ? 3 : 1;
        size_t width = 1 + test_rng_below(&rng, MAXW);
        size_t count = 1 + test_rng_below(&rng, (uint32_t)width);
        int quantised = (int)test_rng_below(&rng, 2); /* small integers: ties, axes, diagonals */
        for (size_t i = 0; i < width * (size_t)nc; i++) {
            if (quantised) {
                prev[i] = (float)test_rng_below(&rng, 5);
                cur[i] = (float)test_rng_below(&rng, 5);
                next[i] = (float)test_rng_below(&rng, 5);
            } else {
                prev[i] = 100.0f * test_rng_float(&rng);
                cur[i] = 100.0f * test_rng_float(&rng);
                next[i] = 100.0f * test_rng_float(&rng);
            }
        }
        int has_y = test_rng_below(&rng, 5) != 0;
        for (size_t x = 0; x < MAXW + 4; x++) {
            mag[x] = -1.0f;
            bin[x] = 0xABCD;
        }
        size_t ret = k->grad_bin_row(has_y ? prev : NULL, cur, has_y ? next : NULL, nc, width, count, &bp, mag, bin);
        size_t rechecks = 0;
        for (size_t x = 0; x < count; x++) {
            /* Reference: the channel with the largest float-rounded double magnitude, first on ties. */
            float bgx = 0, bgy = 0, bm = -1;
            for (int c = 0; c < nc; c++) {
                size_t i = x * (size_t)nc + (size_t)c;
                float gx = x > 0 && x + 1 < width ? cur[i + (size_t)nc] - cur[i - (size_t)nc] : 0.0f;
                float gy = has_y ? next[i] - prev[i] : 0.0f;
                float m = nc == 1 ? sqrtf(gx * gx + gy * gy) : (float)sqrt((double)gx * gx + (double)gy * gy);
                if (m > bm) {
                    bm = m;
                    bgx = gx;
                    bgy = gy;
                }
            }
            CHECK(fabs((double)mag[x] - (double)bm) <= TOL_REL * (double)bm,
                          "%s: width %zu channels %d x %zu: magnitude %.9g, expected %.9g", k->name, width, nc, x,
                          (double)mag[x], (double)bm);
            if (bin[x] == HOGFEAT__BIN_RECHECK) {
                rechecks++;
                continue;
            }
            int ref = hogfeat__hog_reference_bin(bgx, bgy, bp.nbins, bp.is_signed);
            CHECK((int)bin[x] == ref,
                          "%s: n=%d signed=%d width %zu channels %d x %zu, gradient (%.9g, %.9g): bin %u, reference %d",
                          k->name, (int)bp.nbins, bp.is_signed, width, nc, x, (double)bgx, (double)bgy,
                          (unsigned)bin[x], ref);
        }
        CHECK(ret == rechecks, "%s: returned %zu rechecks, %zu bins are RECHECK", k->name, ret, rechecks);
        for (size_t x = count; x < MAXW + 4; x++)
            CHECK(mag[x] == -1.0f && bin[x] == 0xABCD, "%s: wrote pixel %zu beyond count %zu", k->name, x,
                          count);
    }
}
END_TEST

/* ---- (3) histogram accumulation and block normalisation ---------------- */

static int close_rel(double got, double want, double scale)
{
    return fabs(got - want) <= TOL_REL * scale + 1e-30;
}

START_TEST(test_cell_accumulate)
{
    const hogfeat__kernels *k = tables[_i];
    test_rng rng = test_rng_seed(0xACC + (uint64_t)_i);
    enum { MAXC = 24, MAXCW = 12, MAXB = 36, PAD = 8 };
    static float mag[MAXC * MAXCW], hist[MAXC * MAXB + PAD], acc[2 * MAXC * MAXB + 8 + PAD], init[MAXC * MAXB + PAD];
    static uint16_t bin[MAXC * MAXCW];
    static int32_t base[MAXC * MAXCW];
    static double ref[MAXC * MAXB], scale[MAXC * MAXB];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n_cells = 1 + test_rng_below(&rng, MAXC);
        int32_t cell_w = 1 + (int32_t)test_rng_below(&rng, MAXCW);
        int32_t nbins = orientations[test_rng_below(&rng, 14)]; /* up to 36 */
        size_t npx = n_cells * (size_t)cell_w, nh = n_cells * (size_t)nbins;
        for (size_t i = 0; i < npx; i++) {
            mag[i] = test_rng_below(&rng, 8) == 0 ? 0.0f : (float)log_uniform(&rng, 1e-3, 1e3);
            bin[i] = (uint16_t)test_rng_below(&rng, (uint32_t)nbins);
        }
        for (size_t i = 0; i < nh + PAD; i++)
            init[i] = hist[i] = i < nh && test_rng_below(&rng, 2) ? 100.0f * test_rng_float(&rng) : 0.0f;
        for (size_t i = nh; i < nh + PAD; i++)
            init[i] = hist[i] = SENTINEL_VALUE;
        for (size_t i = 0; i < nh; i++) {
            ref[i] = init[i];
            scale[i] = fabs(init[i]);
        }
        for (size_t i = 0; i < npx; i++) {
            size_t h = (i / (size_t)cell_w) * (size_t)nbins + bin[i];
            ref[h] += mag[i];
            scale[h] += fabs(mag[i]);
        }
        for (size_t i = 0; i < npx; i++)
            base[i] = (int32_t)((i / (size_t)cell_w) * (size_t)nbins);
        /* The accumulator starts as the caller leaves it: the first row holds
         * earlier votes (init), the second row and the 8 sinks zero. */
        for (size_t i = 0; i < 2 * nh + 8 + PAD; i++)
            acc[i] = i < nh ? init[i] : i < 2 * nh + 8 ? 0.0f : SENTINEL_VALUE;
        k->cell_accumulate_row(mag, bin, base, npx, acc, nh);
        for (size_t i = 0; i < nh; i++)
            hist[i] = acc[i] + acc[nh + i]; /* as the caller merges the two rows */
        for (size_t i = 0; i < 8; i++)
            CHECK(acc[2 * nh + i] == 0.0f, "%s: a sink holds %g, not a vote of zero", k->name, (double)acc[2 * nh + i]);
        for (size_t i = 0; i < nh; i++)
            CHECK(close_rel(hist[i], ref[i], scale[i]),
                          "%s: %zu cells of %d px, %d bins: hist[%zu] = %.9g, expected %.9g", k->name, n_cells,
                          (int)cell_w, (int)nbins, i, (double)hist[i], ref[i]);
        for (size_t i = nh; i < nh + PAD; i++)
            CHECK(hist[i] == SENTINEL_VALUE && acc[2 * nh + 8 + (i - nh)] == SENTINEL_VALUE,
                  "%s: wrote past the rows (%zu)", k->name, i);
    }
}
END_TEST

static void reference_normalize(const float *first, size_t row_stride, int32_t bw, int32_t bh, int32_t nbins,
                                hogfeat_norm norm, double area, double *out)
{
    const double eps = 1e-5;
    size_t row_len = (size_t)bw * (size_t)nbins, n = row_len * (size_t)bh;
    for (int32_t r = 0; r < bh; r++)
        for (size_t i = 0; i < row_len; i++)
            out[(size_t)r * row_len + i] = first[(size_t)r * row_stride + i] / area; /* the cell mean */
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += norm == HOGFEAT_NORM_L1 || norm == HOGFEAT_NORM_L1_SQRT ? fabs(out[i]) : out[i] * out[i];
    switch (norm) {
    case HOGFEAT_NORM_L1:
        for (size_t i = 0; i < n; i++)
            out[i] = out[i] / (s + eps);
        break;
    case HOGFEAT_NORM_L1_SQRT:
        for (size_t i = 0; i < n; i++)
            out[i] = sqrt(out[i] / (s + eps));
        break;
    case HOGFEAT_NORM_L2:
        for (size_t i = 0; i < n; i++)
            out[i] = out[i] / sqrt(s + eps * eps);
        break;
    case HOGFEAT_NORM_L2HYS: {
        double s2 = 0;
        for (size_t i = 0; i < n; i++) {
            out[i] = fmin(out[i] / sqrt(s + eps * eps), 0.2);
            s2 += out[i] * out[i];
        }
        for (size_t i = 0; i < n; i++)
            out[i] = out[i] / sqrt(s2 + eps * eps);
        break;
    }
    }
}

START_TEST(test_normalize_block)
{
    const hogfeat__kernels *k = tables[_i];
    test_rng rng = test_rng_seed(0x4040 + (uint64_t)_i);
    enum { MAXBW = 4, MAXB = 36, MAXPAD = 20, PAD = 8 };
    static float src[MAXBW * (MAXBW * MAXB + MAXPAD)], out[MAXBW * MAXBW * MAXB + PAD];
    static double ref[MAXBW * MAXBW * MAXB];
    for (int iter = 0; iter < 20000; iter++) {
        int32_t bw = 1 + (int32_t)test_rng_below(&rng, MAXBW), bh = 1 + (int32_t)test_rng_below(&rng, MAXBW);
        int32_t nbins = orientations[test_rng_below(&rng, 14)];
        hogfeat_norm norm = (hogfeat_norm)(1 + test_rng_below(&rng, 4));
        size_t row_len = (size_t)bw * (size_t)nbins, stride = row_len + test_rng_below(&rng, MAXPAD + 1);
        size_t n = row_len * (size_t)bh;
        /* Histogram-like data: non-negative, mostly in a common scale, some zeros, some flat blocks. */
        int kind = (int)test_rng_below(&rng, 10);
        double sc = log_uniform(&rng, 1e-4, 1e4);
        for (size_t i = 0; i < stride * (size_t)bh; i++) {
            float v;
            if (kind == 0)
                v = 0.0f;
            else if (kind == 1)
                v = test_rng_below(&rng, 20) == 0 ? (float)sc : 0.0f; /* sparse: clipping in L2-Hys */
            else
                v = test_rng_below(&rng, 6) == 0 ? 0.0f : (float)(sc * test_rng_float(&rng));
            src[i] = v;
        }
        for (size_t i = 0; i < n + PAD; i++)
            out[i] = SENTINEL_VALUE;
        const double area = (double)(1 + test_rng_below(&rng, 64));
        k->normalize_block(src, stride, bw, bh, nbins, norm, area, out);
        reference_normalize(src, stride, bw, bh, nbins, norm, area, ref);
        for (size_t i = 0; i < n; i++)
            CHECK(close_rel(out[i], ref[i], fabs(ref[i])),
                          "%s: norm %d block %dx%d, %d bins, stride %zu, kind %d: out[%zu] = %.9g, expected %.9g",
                          k->name, (int)norm, (int)bw, (int)bh, (int)nbins, stride, kind, i, (double)out[i], ref[i]);
        for (size_t i = n; i < n + PAD; i++)
            CHECK(out[i] == SENTINEL_VALUE, "%s: wrote out[%zu] past %zu", k->name, i, n);
    }
}
END_TEST

/* ---- (4) dense vector kernels of the classifiers --------------------------- */

/* kernels.h: sums may be reassociated; tolerance 1e-5 relative to sum |terms|. */
#define TOL_VEC 1e-5

START_TEST(test_vector_kernels)
{
    const hogfeat__kernels *k = tables[_i];
    test_rng rng = test_rng_seed(0xD07 + (uint64_t)_i);
    enum { MAXN = 300, PAD = 8 };
    static float a[MAXN], b[MAXN], y[MAXN + PAD], y0[MAXN + PAD];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = iter < 64 ? (size_t)iter : test_rng_below(&rng, MAXN + 1); /* every short length, then random */
        int nonneg = (int)test_rng_below(&rng, 2); /* histogram-like inputs (chi2 needs a + b >= 0) */
        double sc = log_uniform(&rng, 1e-3, 1e3);
        for (size_t i = 0; i < n; i++) {
            a[i] = (float)(sc * (nonneg ? test_rng_float(&rng) : 2.0 * test_rng_float(&rng) - 1.0));
            b[i] = (float)(sc * (nonneg ? test_rng_float(&rng) : 2.0 * test_rng_float(&rng) - 1.0));
            if (test_rng_below(&rng, 8) == 0)
                a[i] = b[i] = 0.0f; /* chi2 skips a + b == 0 */
        }
        double dot = 0, dot_abs = 0, sq = 0, l1 = 0, chi = 0;
        for (size_t i = 0; i < n; i++) {
            double p = (double)a[i] * b[i], d = (double)a[i] - b[i];
            dot += p;
            dot_abs += fabs(p);
            sq += d * d;
            l1 += fabs(d);
            if (nonneg && (double)a[i] + b[i] > 0)
                chi += d * d / ((double)a[i] + b[i]);
        }
        float got = k->dot(a, b, n);
        CHECK(fabs(got - dot) <= TOL_VEC * dot_abs + 1e-30, "%s: dot n=%zu: %.9g, expected %.9g", k->name, n,
              (double)got, dot);
        got = k->sqdist(a, b, n);
        CHECK(fabs(got - sq) <= TOL_VEC * sq + 1e-30, "%s: sqdist n=%zu: %.9g, expected %.9g", k->name, n,
              (double)got, sq);
        got = k->l1dist(a, b, n);
        CHECK(fabs(got - l1) <= TOL_VEC * l1 + 1e-30, "%s: l1dist n=%zu: %.9g, expected %.9g", k->name, n,
              (double)got, l1);
        if (nonneg) {
            got = k->chi2dist(a, b, n);
            CHECK(fabs(got - chi) <= TOL_VEC * chi + 1e-30, "%s: chi2dist n=%zu: %.9g, expected %.9g", k->name, n,
                  (double)got, chi);
        }
        float alpha = (float)(2.0 * test_rng_float(&rng) - 1.0);
        for (size_t i = 0; i < n + PAD; i++)
            y[i] = y0[i] = i < n ? (float)(sc * test_rng_float(&rng)) : SENTINEL_VALUE;
        k->axpy(alpha, a, y, n);
        for (size_t i = 0; i < n; i++) {
            double want = (double)y0[i] + (double)alpha * a[i];
            double mag = fabs((double)y0[i]) + fabs((double)alpha * a[i]);
            CHECK(fabs(y[i] - want) <= TOL_REL * mag + 1e-30, "%s: axpy n=%zu y[%zu] = %.9g, expected %.9g", k->name,
                  n, i, (double)y[i], want);
        }
        for (size_t i = n; i < n + PAD; i++)
            CHECK(y[i] == SENTINEL_VALUE, "%s: axpy n=%zu wrote y[%zu]", k->name, n, i);
    }
}
END_TEST

/* Long rows, so SIMD tables run their vector bodies, against the scalar
 * specification: magnitudes bitwise equal; bins equal, except that where one
 * table asks for the recheck the other must give the exact reference bin. */
static void compare_row_outputs(const hogfeat__kernels *k, const char *what, const hogfeat__binparams *bp, size_t count,
                                const float *mag_s, const uint16_t *bin_s, const float *mag_k, const uint16_t *bin_k,
                                const double *gx, const double *gy)
{
    for (size_t x = 0; x < count; x++) {
        uint32_t ms, mk;
        memcpy(&ms, &mag_s[x], 4);
        memcpy(&mk, &mag_k[x], 4);
        CHECK(ms == mk, "%s %s x=%zu: magnitude %a, scalar %a", k->name, what, x, (double)mag_k[x], (double)mag_s[x]);
        if (bin_s[x] == bin_k[x])
            continue;
        int ref = hogfeat__hog_reference_bin(gx[x], gy[x], bp->nbins, bp->is_signed);
        uint16_t other = bin_s[x] == HOGFEAT__BIN_RECHECK ? bin_k[x] : bin_k[x] == HOGFEAT__BIN_RECHECK ? bin_s[x] : 0xFFFEu;
        CHECK(other != 0xFFFEu && ref >= 0 && (int)other == ref,
              "%s %s n=%d signed=%d x=%zu (gx, gy) = (%.9g, %.9g): bin %u, scalar %u, reference %d", k->name, what,
              (int)bp->nbins, bp->is_signed, x, gx[x], gy[x], (unsigned)bin_k[x], (unsigned)bin_s[x], ref);
    }
}

static size_t count_rechecks(const uint16_t *bin, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += bin[i] == HOGFEAT__BIN_RECHECK;
    return c;
}

START_TEST(test_rows_match_scalar)
{
    const hogfeat__kernels *k = tables[_i];
    enum { W = 1031 };
    static uint8_t u[3][W];
    static float f[3][W], mag_s[W], mag_k[W];
    static uint16_t bin_s[W], bin_k[W];
    static double gx[W], gy[W];
    test_rng rng = test_rng_seed(0xC0FFEE + (uint64_t)_i);
    for (int iter = 0; iter < 1200; iter++) {
        hogfeat__binparams bp = binparams(iter % N_CONFIGS);
        int kind = iter % 6;
        for (int r = 0; r < 3; r++)
            for (int x = 0; x < W; x++) {
                uint32_t v = test_rng_below(&rng, 256);
                if (kind == 1)
                    v = v & 1 ? 255 : 0; /* binary strokes: exact diagonals and axes */
                else if (kind == 2)
                    v = (uint32_t)(x * 3 + r * 7) & 255; /* ramps */
                else if (kind == 3)
                    v = 128 + (v & 3); /* tiny gradients */
                u[r][x] = (uint8_t)v;
                f[r][x] = kind == 4 ? test_rng_float(&rng) * 1e-3f - 5e-4f : (float)v / (kind == 0 ? 255.0f : 1.0f);
            }
        if (kind == 5) {
            /* Gradients within 1e-7..1e-4 rad of a bin edge at every x = 0
             * mod 4: cur is zero except at x + 1, prev zero, next = gy. */
            const double width = (bp.is_signed ? 2.0 * PI : PI) / bp.nbins;
            for (int x = 0; x < W; x++)
                f[0][x] = f[1][x] = f[2][x] = 0.0f;
            for (int x = 4; x + 1 < W; x += 4) {
                int e = (int)test_rng_below(&rng, (uint32_t)bp.nbins);
                double th = e * width + (double)random_sign(&rng) * log_uniform(&rng, 1e-7, 1e-4);
                double rad = log_uniform(&rng, 1e-2, 1e2);
                f[1][x + 1] = (float)(rad * cos(th));
                f[2][x] = (float)(rad * sin(th));
            }
        }
        const size_t count = W - (size_t)(iter % 3); /* count == width or less */
        const int border = iter % 7 == 0 && kind != 5;
        const uint8_t *up = border ? NULL : u[0], *un = border ? NULL : u[2];
        const float *fp = border ? NULL : f[0], *fn = border ? NULL : f[2];
        for (size_t x = 0; x < count; x++) {
            int hx = x > 0 && x + 1 < W;
            gx[x] = hx ? (double)(u[1][x + 1] - u[1][x - 1]) : 0.0;
            gy[x] = border ? 0.0 : (double)(u[2][x] - u[0][x]);
        }
        hogfeat__kernels_scalar.grad_bin_row_u8(up, u[1], un, W, count, &bp, mag_s, bin_s);
        size_t ret = k->grad_bin_row_u8(up, u[1], un, W, count, &bp, mag_k, bin_k);
        CHECK(ret == count_rechecks(bin_k, count), "%s u8: returned %zu rechecks, marked %zu", k->name, ret,
              count_rechecks(bin_k, count));
        compare_row_outputs(k, "u8", &bp, count, mag_s, bin_s, mag_k, bin_k, gx, gy);
        for (size_t x = 0; x < count; x++) {
            int hx = x > 0 && x + 1 < W;
            gx[x] = hx ? (double)(f[1][x + 1] - f[1][x - 1]) : 0.0;
            gy[x] = border ? 0.0 : (double)(f[2][x] - f[0][x]);
        }
        hogfeat__kernels_scalar.grad_bin_row(fp, f[1], fn, 1, W, count, &bp, mag_s, bin_s);
        ret = k->grad_bin_row(fp, f[1], fn, 1, W, count, &bp, mag_k, bin_k);
        CHECK(ret == count_rechecks(bin_k, count), "%s f32: returned %zu rechecks, marked %zu", k->name, ret,
              count_rechecks(bin_k, count));
        compare_row_outputs(k, "f32", &bp, count, mag_s, bin_s, mag_k, bin_k, gx, gy);
    }
}
END_TEST

static Suite *kernels_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc;

    tc = tcase_create("exhaustive_integer_bins");
    tcase_add_test(tc, test_exhaustive_integer_bins);
    suite_add_tcase(s, tc);

    tc = tcase_create("random_bins");
    tcase_add_loop_test(tc, test_random_bins, 0, N_TABLES);
    suite_add_tcase(s, tc);

    tc = tcase_create("grad_bin_rows");
    tcase_add_loop_test(tc, test_grad_bin_rows, 0, N_TABLES);
    suite_add_tcase(s, tc);

    tc = tcase_create("cell_accumulate");
    tcase_add_loop_test(tc, test_cell_accumulate, 0, N_TABLES);
    suite_add_tcase(s, tc);

    tc = tcase_create("normalize_block");
    tcase_add_loop_test(tc, test_normalize_block, 0, N_TABLES);
    suite_add_tcase(s, tc);

    tc = tcase_create("rows_match_scalar");
    tcase_add_loop_test(tc, test_rows_match_scalar, 0, N_TABLES);
    suite_add_tcase(s, tc);

    tc = tcase_create("vector_kernels");
    tcase_add_loop_test(tc, test_vector_kernels, 0, N_TABLES);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    n_tables = hogfeat__kernels_available(tables, 7);
    tables[n_tables] = hogfeat__kernels_get();
    if (n_tables < 1 || !tables[n_tables]) {
        fprintf(stderr, "no kernel table\n");
        return EXIT_FAILURE;
    }
    n_tables++;
    printf("kernel tables:");
    for (int i = 0; i < n_tables; i++)
        printf(" %s", tables[i]->name);
    printf(" (last = in use)\n");
    return test_run_suite(kernels_suite());
}
