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
 * same random permutation per pass, same shrinking bounds (PGmax_old,
 * PGmin_old), same stop (PGmax - PGmin <= eps on the full set, after
 * re-activating every row once the active set has converged).
 *
 * Where it departs from LIBLINEAR: rows are dense float32, read in place;
 * w is float32 and updated through the kernel table's axpy, while the bias
 * weight, the gradients and alpha stay double; the bias B is a virtual last
 * feature, so |x_i|^2 already holds B^2 (caller's sqnorm); the permutation
 * comes from splitmix64 seeded per problem instead of the C library rand(). */
#include <float.h>
#include <math.h>

#include "linsvm_solver.h"

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

static void swap_index(size_t *index, size_t a, size_t b)
{
    size_t t = index[a];
    index[a] = index[b];
    index[b] = t;
}

hogfeat_status hogfeat__svm_solve(const hogfeat__svm_problem *p, double *alpha, size_t *index, float *w,
                                  double *out_wb, hogfeat__svm_stats *stats)
{
    const size_t l = p->num_samples, n = p->num_features;
    const hogfeat__kernels *k = p->kernels;
    const int hinge = p->loss == HOGFEAT_SVM_LOSS_HINGE;
    /* Slot 0 for y = -1, slot 1 for y = +1 (LIBLINEAR's GETI without the gap). */
    const double diag[2] = {hinge ? 0.0 : 0.5 / p->cn, hinge ? 0.0 : 0.5 / p->cp};
    const double upper[2] = {hinge ? p->cn : HUGE_VAL, hinge ? p->cp : HUGE_VAL};
    const double bias = p->bias;
    uint64_t rng = p->seed;
    double wb = 0.0;

    /* alpha = 0, hence w = sum alpha_i y_i x_i = 0. */
    for (size_t i = 0; i < n; i++)
        w[i] = 0.0f;
    for (size_t i = 0; i < l; i++) {
        alpha[i] = 0.0;
        index[i] = i;
    }

    size_t active = l;
    /* Shrinking thresholds from the previous pass: a row at a bound whose
     * gradient points outside by more than the widest violation seen last
     * time is unlikely to move again. */
    double pgmax_old = HUGE_VAL, pgmin_old = -HUGE_VAL;
    int32_t iter = 0;
    int converged = 0;
    while (iter < p->max_iterations) {
        double pgmax_new = -HUGE_VAL, pgmin_new = HUGE_VAL;

        for (size_t i = 0; i < active; i++)
            swap_index(index, i, i + rng_below(&rng, active - i));

        for (size_t s = 0; s < active;) {
            const size_t i = index[s];
            const int pos = p->sample_class[i] == p->positive_class;
            const double yi = pos ? 1.0 : -1.0;
            const float *xi = p->features + i * p->row_stride;
            const double c = upper[pos];

            double g = yi * ((double)k->dot(w, xi, n) + wb * bias) - 1.0 + alpha[i] * diag[pos];

            double pg = 0.0;
            if (alpha[i] == 0.0) {
                if (g > pgmax_old) {
                    active--;
                    swap_index(index, s, active);
                    continue; /* the row swapped in is visited at the same s */
                }
                if (g < 0.0)
                    pg = g;
            } else if (alpha[i] == c) {
                if (g < pgmin_old) {
                    active--;
                    swap_index(index, s, active);
                    continue;
                }
                if (g > 0.0)
                    pg = g;
            } else {
                pg = g;
            }
            if (pg > pgmax_new)
                pgmax_new = pg;
            if (pg < pgmin_new)
                pgmin_new = pg;

            if (fabs(pg) > 1.0e-12) {
                const double old = alpha[i];
                const double qd = p->sqnorm[i] + diag[pos];
                /* qd is 0 only under the hinge loss without bias, for a zero
                 * row (or one whose squares underflow): it barely moves w, the
                 * objective is linear in alpha_i, so the bound g points to is
                 * optimal. */
                double a = qd > 0.0 ? old - g / qd : (g < 0.0 ? c : 0.0);
                a = a > 0.0 ? a : 0.0;
                a = a < c ? a : c;
                alpha[i] = a;
                const double d = (a - old) * yi;
                /* Only an enormous C (say a zero row with Q_ii = 1/(2C) below
                 * 1/FLT_MAX) gets here; a float w cannot take such a step. */
                if (!(fabs(d) <= FLT_MAX))
                    return HOGFEAT_ERR_NONFINITE;
                k->axpy((float)d, xi, w, n);
                wb += d * bias;
            }
            s++;
        }

        iter++;
        if (pgmax_new - pgmin_new <= p->tolerance) {
            if (active == l) {
                converged = 1;
                break;
            }
            /* Converged on the shrunk set only: one more check on every row. */
            active = l;
            pgmax_old = HUGE_VAL;
            pgmin_old = -HUGE_VAL;
        } else {
            pgmax_old = pgmax_new > 0.0 ? pgmax_new : HUGE_VAL;
            pgmin_old = pgmin_new < 0.0 ? pgmin_new : -HUGE_VAL;
        }
        if (iter < p->max_iterations && p->should_stop && p->should_stop(p->stop_ctx))
            return HOGFEAT_ERR_CANCELLED;
    }

    /* A float step can still overflow w; the bias weight is stored as
     * float, so it must fit one. Once per problem, so not a hot loop. */
    double wnorm2 = wb * wb;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(w[j]))
            return HOGFEAT_ERR_NONFINITE;
        wnorm2 += (double)w[j] * (double)w[j];
    }
    if (!(fabs(wb) <= FLT_MAX))
        return HOGFEAT_ERR_NONFINITE;

    *out_wb = wb;
    if (stats) {
        double v = wnorm2;
        size_t nsv = 0;
        for (size_t i = 0; i < l; i++) {
            const int pos = p->sample_class[i] == p->positive_class;
            v += alpha[i] * (alpha[i] * diag[pos] - 2.0);
            nsv += alpha[i] > 0.0;
        }
        stats->iterations = iter;
        stats->converged = converged;
        stats->dual_objective = v / 2.0;
        stats->support_vectors = nsv;
    }
    return HOGFEAT_OK;
}
