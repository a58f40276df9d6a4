/* Dual coordinate descent for the L2-regularised L1-loss and L2-loss SVM
 * (the Crammer-Singer solver and the probability calibrations follow
 * further down, each with its own description):
 *
 *     min_a  1/2 a^T (Q + D) a - e^T a   subject to  0 <= a_i <= U_i,
 *     Q_ij = y_i y_j x_i.x_j,
 *     L1-loss (hinge):         D_ii = 0,           U_i = C_{y_i};
 *     L2-loss (squared hinge): D_ii = 1 / (2 C_{y_i}), U_i = +inf.
 *
 * Hsieh, Chang, Lin, Keerthi and Sundararajan, "A Dual Coordinate Descent
 * Method for Large-scale Linear SVM", ICML 2008, Algorithm 3 with the
 * shrinking of their Section 3.2, as LIBLINEAR's solve_l2r_l1l2_svc does it:
 * a random order per pass, the same shrinking bounds (PGmax_old, PGmin_old),
 * the same stop (PGmax - PGmin <= eps on the full set, after re-activating
 * every row once the active set has converged).
 *
 * Where it departs from LIBLINEAR:
 * - rows are dense float32, read in place; w is float32 and updated through
 *   the kernel table's axpy, while the bias weight, the gradients and alpha
 *   stay double; the bias B is a virtual last feature, so |x_i|^2 already
 *   holds B^2 (caller's sqnorm);
 * - the order comes from splitmix64, not the C library rand();
 * - several problems (the one-vs-rest classes) can run in one sweep over the
 *   rows. LIBLINEAR shuffles each problem's active rows; here every pass
 *   shuffles all rows with a generator common to the group, and each problem
 *   visits its active rows in that order (the restriction of a uniformly
 *   random permutation to a subset is uniformly random, so each problem
 *   still sees a random order). A row is then read from memory once per pass
 *   for all problems in which it is active: with rows far larger than the
 *   caches, memory traffic, not arithmetic, bounds the solver, and K
 *   separate solvers would stream the matrix K times per pass (on the 10
 *   classes of CMATERdb, 3.7 times fewer row reads and half the time). The
 *   order depends only on the seed and the pass number, so a problem's
 *   result does not depend on which problems share its group (or thread);
 * - a problem may be a subset of the matrix rows, given as a list of row
 *   numbers (a one-vs-one pair, a cross-validation fold): rows are still
 *   read in place, never copied. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "linsvm_solver.h"

#define SIZE_BITS (sizeof(size_t) * CHAR_BIT)

/* splitmix64 finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014; the constants of Vigna's reference code). */
static uint64_t splitmix64_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t hogfeat__svm_problem_seed(int32_t seed, uint32_t problem)
{
    /* Seed and problem number together fill 64 bits, so distinct pairs give
     * distinct starting states (the finaliser is a bijection). */
    return splitmix64_mix(((uint64_t)(uint32_t)seed << 32) | problem);
}

/* splitmix64: a Weyl sequence through the finaliser; period 2^64. */
static uint64_t rng_next(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ull;
    return splitmix64_mix(*state);
}

/* Uniform in [0, n); the modulo bias, at most n / 2^64, cannot matter to a
 * shuffle. */
static size_t rng_below(uint64_t *state, size_t n)
{
    return (size_t)(rng_next(state) % (uint64_t)n);
}

size_t hogfeat__svm_rng_below(uint64_t *state, size_t n)
{
    return rng_below(state, n);
}

/* Matrix row of problem row i. */
static inline size_t matrix_row(const size_t *rows, size_t i)
{
    return rows ? rows[i] : i;
}

size_t hogfeat__svm_group_capacity(size_t num_samples)
{
    /* Row numbers need the low bits of an order entry; the rest are flags. */
    size_t width = 0;
    while (width < SIZE_BITS && ((num_samples - 1) >> width) != 0)
        width++;
    size_t spare = SIZE_BITS - width;
    if (spare < 1)
        spare = 1; /* unreachable: float rows addressable by size_t leave 2 bits */
    return spare < HOGFEAT__SVM_GROUP_MAX ? spare : HOGFEAT__SVM_GROUP_MAX;
}

/* Per-problem state of a group. */
typedef struct member {
    int32_t positive_class;
    double diag[2];  /* D_ii, slot 0 for y = -1, slot 1 for y = +1 (LIBLINEAR's GETI without the gap) */
    double upper[2]; /* U_i, same slots */
    float *w;
    double wb;
    size_t active;   /* rows whose flag is set */
    /* Shrinking thresholds from the previous pass: a row at a bound whose
     * gradient points outside by more than the widest violation seen last
     * time is unlikely to move again. */
    double pgmax_old, pgmin_old;
    double pgmax_new, pgmin_new;
} member;

/* Finishes member m: the bias weight is stored as float, so it and w must
 * fit one (a float step can still overflow w). Once per problem, so not a
 * hot loop. */
static hogfeat_status finish_member(const hogfeat__svm_problem *p, const member *mb, size_t m, size_t count,
                                    const double *alpha, int32_t iter, int converged, double *out_wb,
                                    hogfeat__svm_stats *stats)
{
    const size_t l = p->num_samples, n = p->num_features;
    double wnorm2 = mb->wb * mb->wb;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(mb->w[j]))
            return HOGFEAT_ERR_NONFINITE;
        wnorm2 += (double)mb->w[j] * (double)mb->w[j];
    }
    if (!(fabs(mb->wb) <= FLT_MAX))
        return HOGFEAT_ERR_NONFINITE;
    *out_wb = mb->wb;
    if (stats) {
        double v = wnorm2;
        size_t nsv = 0;
        for (size_t i = 0; i < l; i++) {
            const double a = alpha[i * count + m];
            const int pos = p->sample_class[matrix_row(p->rows, i)] == mb->positive_class;
            v += a * (a * mb->diag[pos] - 2.0);
            nsv += a > 0.0;
        }
        stats->iterations = iter;
        stats->converged = converged;
        stats->dual_objective = v / 2.0;
        stats->support_vectors = nsv;
    }
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__svm_solve_group(const hogfeat__svm_problem *problems, size_t count, double *alpha,
                                        size_t *order, float *const *w, double *out_wb, hogfeat__svm_stats *stats,
                                        hogfeat__svm_finished_fn finished, void *finished_ctx)
{
    const hogfeat__svm_problem *p = &problems[0]; /* the fields all members share */
    const size_t l = p->num_samples, n = p->num_features, stride = p->row_stride;
    const hogfeat__kernels *k = p->kernels;
    const int hinge = p->loss == HOGFEAT_SVM_LOSS_HINGE;
    const double bias = p->bias;
    /* Entry of order: row number in the low bits, member m's flag at bit
     * shift + m, set while the row is in m's active set. */
    const unsigned shift = (unsigned)(SIZE_BITS - count);
    const size_t row_mask = ((size_t)1 << shift) - 1;
    uint64_t rng = p->seed;

    member mb[HOGFEAT__SVM_GROUP_MAX];
    for (size_t m = 0; m < count; m++) {
        const hogfeat__svm_problem *q = &problems[m];
        mb[m].positive_class = q->positive_class;
        mb[m].diag[0] = hinge ? 0.0 : 0.5 / q->cn;
        mb[m].diag[1] = hinge ? 0.0 : 0.5 / q->cp;
        mb[m].upper[0] = hinge ? q->cn : HUGE_VAL;
        mb[m].upper[1] = hinge ? q->cp : HUGE_VAL;
        mb[m].w = w[m];
        mb[m].wb = 0.0;
        mb[m].active = l;
        mb[m].pgmax_old = HUGE_VAL;
        mb[m].pgmin_old = -HUGE_VAL;
        /* alpha = 0, hence w = sum alpha_i y_i x_i = 0. */
        for (size_t j = 0; j < n; j++)
            w[m][j] = 0.0f;
    }
    for (size_t i = 0; i < l * count; i++)
        alpha[i] = 0.0;
    for (size_t i = 0; i < l; i++)
        order[i] = i | ~row_mask;

    /* Bit m set while member m still runs. */
    unsigned running = (unsigned)(((size_t)1 << count) - 1);
    int32_t iter = 0;
    while (running) {
        for (size_t m = 0; m < count; m++) {
            mb[m].pgmax_new = -HUGE_VAL;
            mb[m].pgmin_new = HUGE_VAL;
        }
        /* Fisher-Yates over every row: l - 1 draws per pass whatever the
         * active sets are, so pass p's order is the same in any group. */
        for (size_t s = 0; s + 1 < l; s++) {
            size_t r = s + rng_below(&rng, l - s);
            size_t t = order[s];
            order[s] = order[r];
            order[r] = t;
        }

        for (size_t s = 0; s < l; s++) {
            size_t e = order[s];
            const unsigned flags = (unsigned)(e >> shift) & running;
            if (!flags)
                continue; /* shrunk from every running problem: not read at all */
            const size_t i = e & row_mask, r = matrix_row(p->rows, i);
            const float *xi = p->features + r * stride;
            const int32_t ci = p->sample_class[r];
            const double qii = p->sqnorm[r];
            double *ai = alpha + i * count;
            for (size_t m = 0; m < count; m++) {
                if (!((flags >> m) & 1u))
                    continue;
                member *b = &mb[m];
                const int pos = ci == b->positive_class;
                const double yi = pos ? 1.0 : -1.0;
                const double c = b->upper[pos];
                const double old = ai[m];

                double g = yi * ((double)k->dot(b->w, xi, n) + b->wb * bias) - 1.0 + old * b->diag[pos];

                double pg = 0.0;
                if (old == 0.0) {
                    if (g > b->pgmax_old) {
                        e &= ~((size_t)1 << (shift + m));
                        b->active--;
                        continue;
                    }
                    if (g < 0.0)
                        pg = g;
                } else if (old == c) {
                    if (g < b->pgmin_old) {
                        e &= ~((size_t)1 << (shift + m));
                        b->active--;
                        continue;
                    }
                    if (g > 0.0)
                        pg = g;
                } else {
                    pg = g;
                }
                if (pg > b->pgmax_new)
                    b->pgmax_new = pg;
                if (pg < b->pgmin_new)
                    b->pgmin_new = pg;

                if (fabs(pg) > 1.0e-12) {
                    const double qd = qii + b->diag[pos];
                    /* qd is 0 only under the hinge loss without bias, for a zero
                     * row (or one whose squares underflow): it barely moves w, the
                     * objective is linear in alpha_i, so the bound g points to is
                     * optimal. */
                    double a = qd > 0.0 ? old - g / qd : (g < 0.0 ? c : 0.0);
                    a = a > 0.0 ? a : 0.0;
                    a = a < c ? a : c;
                    ai[m] = a;
                    const double d = (a - old) * yi;
                    /* Only an enormous C (say a zero row with Q_ii = 1/(2C) below
                     * 1/FLT_MAX) gets here; a float w cannot take such a step. */
                    if (!(fabs(d) <= FLT_MAX))
                        return HOGFEAT_ERR_NONFINITE;
                    k->axpy((float)d, xi, b->w, n);
                    b->wb += d * bias;
                }
            }
            order[s] = e;
        }

        iter++;
        for (size_t m = 0; m < count; m++) {
            if (!((running >> m) & 1u))
                continue;
            member *b = &mb[m];
            int done = 0, converged = 0;
            if (b->pgmax_new - b->pgmin_new <= p->tolerance) {
                if (b->active == l) {
                    done = converged = 1;
                } else {
                    /* Converged on the shrunk set only: one more check on every row. */
                    const size_t flag = (size_t)1 << (shift + m);
                    for (size_t s = 0; s < l; s++)
                        order[s] |= flag;
                    b->active = l;
                    b->pgmax_old = HUGE_VAL;
                    b->pgmin_old = -HUGE_VAL;
                }
            } else {
                b->pgmax_old = b->pgmax_new > 0.0 ? b->pgmax_new : HUGE_VAL;
                b->pgmin_old = b->pgmin_new < 0.0 ? b->pgmin_new : -HUGE_VAL;
            }
            if (!done && iter >= p->max_iterations)
                done = 1;
            if (!done)
                continue;
            running &= ~(1u << m);
            hogfeat_status st =
                finish_member(p, b, m, count, alpha, iter, converged, &out_wb[m], stats ? &stats[m] : NULL);
            if (st != HOGFEAT_OK)
                return st;
            if (finished && finished(finished_ctx, m) != 0)
                return HOGFEAT_ERR_CANCELLED;
        }
        if (running && p->should_stop && p->should_stop(p->stop_ctx))
            return HOGFEAT_ERR_CANCELLED;
    }
    return HOGFEAT_OK;
}

hogfeat_status hogfeat__svm_solve(const hogfeat__svm_problem *p, double *alpha, size_t *index, float *w,
                                  double *out_wb, hogfeat__svm_stats *stats)
{
    float *const ws[1] = {w};
    return hogfeat__svm_solve_group(p, 1, alpha, index, ws, out_wb, stats, NULL, NULL);
}

/* ---- Crammer-Singer ------------------------------------------------------- */

/* The sequential dual method of LIBLINEAR's Solver_MCSVM_CS (Keerthi et al.,
 * "A sequential dual method for large scale multi-class linear SVMs", KDD
 * 2008; the appendix of Fan et al., JMLR 2008): each step solves the
 * sub-problem of one row's K variables exactly, with the same shrinking
 * (a class leaves a row's active set when its alpha sits at its bound and
 * its gradient is below the smallest free one; a row leaves when one class
 * remains) and the same stopping rule (largest violation below eps after a
 * pass over every row, with the shrinking tolerance halved at each restart).
 * As in the binary solver, rows are dense float32 read in place, w is float
 * and moves through the kernels' axpy, the bias is a virtual feature whose
 * weights stay double, and the order comes from splitmix64. Where LIBLINEAR
 * stores w interleaved by feature, here each class has its own row, so the
 * K gradients of a row are K dot products over contiguous memory. */

/* Scratch layout: doubles, then size_t, then int32_t, each block aligned
 * for what follows because the blocks before it are multiples of 8 bytes
 * or end the layout. */
typedef struct cs_layout {
    size_t alpha, g, b, d, alpha_new, d_val, wb; /* offsets in doubles */
    size_t doubles;
    size_t index_bytes;                          /* size_t block */
    size_t alpha_index, y_index, active, d_ind;  /* offsets in int32_t */
    size_t ints;
    size_t total_bytes;
} cs_layout;

static int cs_plan(size_t l, size_t k, cs_layout *out)
{
    size_t lk, dbl, ints, bytes, b2;
    if (hogfeat__mul_overflow(l, k, &lk))
        return 0;
    out->alpha = 0;
    out->g = lk;
    if (hogfeat__mul_overflow(k, 6, &dbl) || hogfeat__add_overflow(lk, dbl, &dbl))
        return 0;
    out->b = out->g + k;
    out->d = out->b + k;
    out->alpha_new = out->d + k;
    out->d_val = out->alpha_new + k;
    out->wb = out->d_val + k;
    out->doubles = dbl;
    if (hogfeat__mul_overflow(l, sizeof(size_t), &out->index_bytes))
        return 0;
    /* alpha_index l*k, y_index l, active l, d_ind k */
    out->alpha_index = 0;
    out->y_index = lk;
    out->active = lk + l;
    out->d_ind = lk + 2 * l;
    if (hogfeat__add_overflow(lk, l, &ints) || hogfeat__add_overflow(ints, l, &ints) ||
        hogfeat__add_overflow(ints, k, &ints))
        return 0;
    out->ints = ints;
    if (hogfeat__mul_overflow(dbl, sizeof(double), &bytes) || hogfeat__add_overflow(bytes, out->index_bytes, &bytes) ||
        hogfeat__mul_overflow(ints, sizeof(int32_t), &b2) || hogfeat__add_overflow(bytes, b2, &bytes))
        return 0;
    out->total_bytes = bytes;
    return 1;
}

size_t hogfeat__svm_cs_scratch_bytes(size_t num_samples, size_t num_classes)
{
    cs_layout lay;
    if (num_samples == 0 || num_classes < 2 || num_classes > INT32_MAX || !cs_plan(num_samples, num_classes, &lay))
        return 0;
    return lay.total_bytes;
}

static int compare_double_desc(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* LIBLINEAR's solve_sub_problem: the K-variable problem of one row in
 * closed form (Crammer and Singer's fixed-point on beta). d is scratch. */
static void cs_sub_problem(double a_i, size_t yi, double c_yi, size_t act, const double *b, double *d,
                           double *alpha_new)
{
    for (size_t r = 0; r < act; r++)
        d[r] = b[r];
    if (yi < act)
        d[yi] += a_i * c_yi;
    qsort(d, act, sizeof *d, compare_double_desc);
    double beta = d[0] - a_i * c_yi;
    size_t r = 1;
    for (; r < act && beta < (double)r * d[r]; r++)
        beta += d[r];
    beta /= (double)r;
    for (r = 0; r < act; r++) {
        const double v = (beta - b[r]) / a_i;
        if (r == yi)
            alpha_new[r] = v < c_yi ? v : c_yi;
        else
            alpha_new[r] = v < 0.0 ? v : 0.0;
    }
}

static int cs_shrunk(size_t m, size_t yi, double alpha, double c_i, double min_g, const double *g)
{
    const double bound = m == yi ? c_i : 0.0;
    return alpha == bound && g[m] < min_g;
}

hogfeat_status hogfeat__svm_solve_cs(const hogfeat__svm_cs_problem *p, void *scratch, float *const *w,
                                     double *out_wb, hogfeat__svm_stats *stats)
{
    const size_t l = p->num_samples, n = p->num_features, nk = p->num_classes, stride = p->row_stride;
    const hogfeat__kernels *k = p->kernels;
    const double bias = p->bias, eps = p->tolerance;
    cs_layout lay;
    if (!cs_plan(l, nk, &lay))
        return HOGFEAT_ERR_LIMIT_EXCEEDED; /* the caller sized the scratch: unreachable */
    double *dbl = scratch;
    double *alpha = dbl + lay.alpha, *g = dbl + lay.g, *bb = dbl + lay.b, *dd = dbl + lay.d;
    double *alpha_new = dbl + lay.alpha_new, *d_val = dbl + lay.d_val, *wb = dbl + lay.wb;
    size_t *index = (size_t *)(void *)(dbl + lay.doubles);
    int32_t *ints = (int32_t *)(void *)((unsigned char *)index + lay.index_bytes);
    int32_t *alpha_index = ints + lay.alpha_index, *y_index = ints + lay.y_index, *active = ints + lay.active;
    int32_t *d_ind = ints + lay.d_ind;

    for (size_t i = 0; i < l * nk; i++)
        alpha[i] = 0.0;
    for (size_t m = 0; m < nk; m++) {
        for (size_t j = 0; j < n; j++)
            w[m][j] = 0.0f;
        wb[m] = 0.0;
    }
    for (size_t i = 0; i < l; i++) {
        for (size_t m = 0; m < nk; m++)
            alpha_index[i * nk + m] = (int32_t)m;
        active[i] = (int32_t)nk;
        y_index[i] = p->sample_class[matrix_row(p->rows, i)];
        index[i] = i;
    }

    size_t active_size = l;
    double eps_shrink = 10.0 * eps > 1.0 ? 10.0 * eps : 1.0;
    int start_from_all = 1, converged = 0;
    int32_t iter = 0;
    uint64_t rng = p->seed;
    while (iter < p->max_iterations) {
        double stopping = -HUGE_VAL;
        for (size_t s = 0; s + 1 < active_size; s++) {
            size_t r = s + rng_below(&rng, active_size - s);
            size_t t = index[s];
            index[s] = index[r];
            index[r] = t;
        }
        size_t s = 0;
        while (s < active_size) {
            const size_t i = index[s], row = matrix_row(p->rows, i);
            const double a_i = p->sqnorm[row];
            if (!(a_i > 0.0)) {
                /* A zero row (no bias): w ignores it, nothing to solve. */
                s++;
                continue;
            }
            const float *xi = p->features + row * stride;
            const int32_t y = p->sample_class[row];
            const double c_i = p->class_c[y];
            double *alpha_i = alpha + i * nk;
            int32_t *idx = alpha_index + i * nk;
            size_t act = (size_t)active[i], yi = (size_t)y_index[i];

            for (size_t m = 0; m < act; m++)
                g[m] = 1.0;
            if (yi < act)
                g[yi] = 0.0;
            for (size_t m = 0; m < act; m++) {
                const size_t c = (size_t)idx[m];
                g[m] += (double)k->dot(w[c], xi, n) + wb[c] * bias;
            }
            double min_g = HUGE_VAL, max_g = -HUGE_VAL;
            for (size_t m = 0; m < act; m++) {
                if (alpha_i[idx[m]] < 0.0 && g[m] < min_g)
                    min_g = g[m];
                if (g[m] > max_g)
                    max_g = g[m];
            }
            if (yi < act && alpha_i[y] < c_i && g[yi] < min_g)
                min_g = g[yi];

            for (size_t m = 0; m < act; m++) {
                if (!cs_shrunk(m, yi, alpha_i[idx[m]], c_i, min_g, g))
                    continue;
                act--;
                while (act > m) {
                    if (!cs_shrunk(act, yi, alpha_i[idx[act]], c_i, min_g, g)) {
                        int32_t ti = idx[m];
                        idx[m] = idx[act];
                        idx[act] = ti;
                        double tg = g[m];
                        g[m] = g[act];
                        g[act] = tg;
                        if (yi == act)
                            yi = m;
                        else if (yi == m)
                            yi = act;
                        break;
                    }
                    act--;
                }
            }
            active[i] = (int32_t)act;
            y_index[i] = (int32_t)yi;
            if (act <= 1) {
                /* One class left: the row is done until the next restart. */
                active_size--;
                size_t t = index[s];
                index[s] = index[active_size];
                index[active_size] = t;
                continue;
            }
            s++;
            if (max_g - min_g <= 1.0e-12)
                continue;
            if (max_g - min_g > stopping)
                stopping = max_g - min_g;

            for (size_t m = 0; m < act; m++)
                bb[m] = g[m] - a_i * alpha_i[idx[m]];
            cs_sub_problem(a_i, yi, c_i, act, bb, dd, alpha_new);
            size_t nz = 0;
            for (size_t m = 0; m < act; m++) {
                const double d = alpha_new[m] - alpha_i[idx[m]];
                alpha_i[idx[m]] = alpha_new[m];
                if (fabs(d) >= 1.0e-12) {
                    d_ind[nz] = idx[m];
                    d_val[nz] = d;
                    nz++;
                }
            }
            for (size_t m = 0; m < nz; m++) {
                /* As in the binary solver: only an absurd C makes a step no float w can take. */
                if (!(fabs(d_val[m]) <= FLT_MAX))
                    return HOGFEAT_ERR_NONFINITE;
                k->axpy((float)d_val[m], xi, w[d_ind[m]], n);
                wb[d_ind[m]] += d_val[m] * bias;
            }
        }

        iter++;
        if (stopping < eps_shrink) {
            if (stopping < eps && start_from_all) {
                converged = 1;
                break;
            }
            active_size = l;
            for (size_t i = 0; i < l; i++)
                active[i] = (int32_t)nk;
            eps_shrink = eps_shrink / 2.0 > eps ? eps_shrink / 2.0 : eps;
            start_from_all = 1;
        } else {
            start_from_all = 0;
        }
        if (iter < p->max_iterations && p->should_stop && p->should_stop(p->stop_ctx))
            return HOGFEAT_ERR_CANCELLED;
    }

    double wnorm2 = 0.0;
    for (size_t m = 0; m < nk; m++) {
        if (!(fabs(wb[m]) <= FLT_MAX))
            return HOGFEAT_ERR_NONFINITE;
        wnorm2 += wb[m] * wb[m];
        for (size_t j = 0; j < n; j++) {
            if (!isfinite(w[m][j]))
                return HOGFEAT_ERR_NONFINITE;
            wnorm2 += (double)w[m][j] * (double)w[m][j];
        }
        out_wb[m] = wb[m];
    }
    if (stats) {
        double v = 0.5 * wnorm2;
        size_t nsv = 0;
        for (size_t i = 0; i < l; i++) {
            int any = 0;
            for (size_t m = 0; m < nk; m++) {
                v += alpha[i * nk + m];
                any |= alpha[i * nk + m] != 0.0;
            }
            v -= alpha[i * nk + (size_t)p->sample_class[matrix_row(p->rows, i)]];
            nsv += (size_t)any;
        }
        stats->iterations = iter;
        stats->converged = converged;
        stats->dual_objective = v;
        stats->support_vectors = nsv;
    }
    return HOGFEAT_OK;
}

/* ---- probability calibration ------------------------------------------------ */

/* Platt's sigmoid P(y = 1 | f) = 1 / (1 + exp(A f + B)) fitted to l
 * decision values f with labels pos (1 positive, 0 negative) by the
 * algorithm of Lin, Lin and Weng, "A note on Platt's probabilistic outputs
 * for support vector machines" (Machine Learning 68, 2007), Algorithm 1, as
 * libsvm's sigmoid_train implements it: Newton's method with a backtracking
 * line search on the regularised targets (N+ + 1) / (N+ + 2) and
 * 1 / (N- + 2), and log(1 + exp(.)) evaluated without overflow. */
static double platt_target(const unsigned char *pos, size_t i, double hi, double lo)
{
    return pos[i] ? hi : lo;
}

static double platt_objective(const double *f, const unsigned char *pos, size_t l, double a, double b, double hi,
                              double lo)
{
    double v = 0.0;
    for (size_t i = 0; i < l; i++) {
        const double t = platt_target(pos, i, hi, lo), z = f[i] * a + b;
        v += z >= 0.0 ? t * z + log1p(exp(-z)) : (t - 1.0) * z + log1p(exp(z));
    }
    return v;
}

void hogfeat__platt_fit(const double *f, const unsigned char *pos, size_t l, double *out_a, double *out_b)
{
    double prior1 = 0.0, prior0 = 0.0;
    for (size_t i = 0; i < l; i++) {
        if (pos[i])
            prior1 += 1.0;
        else
            prior0 += 1.0;
    }
    const int max_iter = 100;
    const double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
    const double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
    double a = 0.0, b = log((prior0 + 1.0) / (prior1 + 1.0));
    double fval = platt_objective(f, pos, l, a, b, hi, lo);
    for (int iter = 0; iter < max_iter; iter++) {
        /* Gradient and Hessian, the latter with sigma I added. */
        double h11 = sigma, h22 = sigma, h21 = 0.0, g1 = 0.0, g2 = 0.0;
        for (size_t i = 0; i < l; i++) {
            const double z = f[i] * a + b;
            double p, q;
            if (z >= 0.0) {
                const double e = exp(-z);
                p = e / (1.0 + e);
                q = 1.0 / (1.0 + e);
            } else {
                const double e = exp(z);
                p = 1.0 / (1.0 + e);
                q = e / (1.0 + e);
            }
            const double d2 = p * q, d1 = platt_target(pos, i, hi, lo) - p;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (fabs(g1) < eps && fabs(g2) < eps)
            break;
        const double det = h11 * h22 - h21 * h21;
        const double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
        const double gd = g1 * da + g2 * db;
        double step = 1.0;
        while (step >= min_step) {
            const double na = a + step * da, nb = b + step * db;
            const double nf = platt_objective(f, pos, l, na, nb, hi, lo);
            if (nf < fval + 0.0001 * step * gd) {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if (step < min_step)
            break; /* no sufficient decrease: keep the best point so far */
    }
    *out_a = a;
    *out_b = b;
}

/* log(1 / (1 + exp(z))) = -softplus(z), without overflow. */
double hogfeat__log_sigmoid_neg(double z)
{
    return z > 0.0 ? -(z + log1p(exp(-z))) : -log1p(exp(z));
}

/* Crammer-Singer calibration: p_k = softmax(s f)_k with s >= 0 minimising
 * the cross-entropy against Platt-style smoothed targets (class c of n_c
 * rows: (n_c + 1) / (n_c + 2) on the true class, the rest spread evenly),
 * which keeps s finite when the held-out rows are all right. The loss is
 * convex in s (a sum of log-sum-exp of linear functions minus a linear
 * term): Newton's method from s = 0, projected on s >= 0, with backtracking.
 * f holds l rows of k values; target_true[i] is row i's true-class target. */
static double cs_loss(const double *f, const int32_t *cls, const double *target_true, size_t l, size_t k, double s,
                      double *out_g, double *out_h)
{
    double loss = 0.0, g = 0.0, h = 0.0;
    for (size_t i = 0; i < l; i++) {
        const double *fi = f + i * k;
        const double tt = target_true[i], to = (1.0 - tt) / (double)(k - 1);
        double mx = fi[0];
        for (size_t m = 1; m < k; m++)
            mx = fi[m] > mx ? fi[m] : mx;
        double z = 0.0, ef = 0.0, ef2 = 0.0, eq = 0.0;
        for (size_t m = 0; m < k; m++) {
            const double e = exp(s * (fi[m] - mx));
            z += e;
            ef += e * fi[m];
            ef2 += e * fi[m] * fi[m];
            eq += ((size_t)cls[i] == m ? tt : to) * fi[m];
        }
        const double mean = ef / z;
        loss += s * mx + log(z) - s * eq;
        g += mean - eq;
        double var = ef2 / z - mean * mean;
        h += var > 0.0 ? var : 0.0;
    }
    *out_g = g;
    *out_h = h;
    return loss;
}

double hogfeat__softmax_scale_fit(const double *f, const int32_t *cls, const double *target_true, size_t l, size_t k)
{
    double s = 0.0, g = 0.0, h = 0.0;
    double loss = cs_loss(f, cls, target_true, l, k, s, &g, &h);
    for (int iter = 0; iter < 100; iter++) {
        if (!(h > 0.0) || fabs(g) <= 1e-9 * (double)l)
            break;
        double step = -g / h;
        if (s + step < 0.0)
            step = -s;
        if (step == 0.0)
            break;
        double t = 1.0, ns = s, nl = loss, ng = g, nh = h;
        while (t >= 1e-10) {
            ns = s + t * step;
            nl = cs_loss(f, cls, target_true, l, k, ns, &ng, &nh);
            if (nl <= loss + 1e-4 * t * step * g)
                break;
            t /= 2.0;
        }
        if (t < 1e-10)
            break;
        s = ns;
        loss = nl;
        g = ng;
        h = nh;
    }
    return s;
}

/* libsvm's multiclass_probability: the pairwise coupling of Wu, Lin and
 * Weng ("Probability estimates for multi-class classification by pairwise
 * coupling", JMLR 5, 2004, method 2): minimise p^T Q p subject to
 * sum p = 1 by their fixed-point iteration. q holds Q (K x K), filled by
 * the caller; p and qp are K doubles. */
void hogfeat__couple_pairs(size_t nk, const double *q, double *p, double *qp)
{
    const size_t max_iter = nk > 100 ? nk : 100;
    const double eps = 0.005 / (double)nk;
    for (size_t t = 0; t < nk; t++)
        p[t] = 1.0 / (double)nk;
    for (size_t iter = 0; iter < max_iter; iter++) {
        /* Recomputed each round for accuracy, as libsvm does. */
        double pqp = 0.0;
        for (size_t t = 0; t < nk; t++) {
            qp[t] = 0.0;
            for (size_t j = 0; j < nk; j++)
                qp[t] += q[t * nk + j] * p[j];
            pqp += p[t] * qp[t];
        }
        double max_error = 0.0;
        for (size_t t = 0; t < nk; t++) {
            const double error = fabs(qp[t] - pqp);
            if (error > max_error)
                max_error = error;
        }
        if (max_error < eps)
            break;
        for (size_t t = 0; t < nk; t++) {
            const double diff = (-qp[t] + pqp) / q[t * nk + t];
            p[t] += diff;
            pqp = (pqp + diff * (diff * q[t * nk + t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
            for (size_t j = 0; j < nk; j++) {
                qp[j] = (qp[j] + diff * q[t * nk + j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
}

