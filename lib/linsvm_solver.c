/* Dual coordinate descent for the L2-regularised L1-loss and L2-loss SVM:
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
 *   result does not depend on which problems share its group (or thread). */
#include <float.h>
#include <limits.h>
#include <math.h>

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
            const int pos = p->sample_class[i] == mb->positive_class;
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
            const size_t i = e & row_mask;
            const float *xi = p->features + i * stride;
            const int32_t ci = p->sample_class[i];
            const double qii = p->sqnorm[i];
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
