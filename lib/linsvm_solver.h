/* Dual coordinate descent for binary L2-regularised SVMs (LIBLINEAR's
 * solve_l2r_l1l2_svc), one problem at a time or several over the same rows
 * at once, and for the Crammer-Singer multi-class SVM (LIBLINEAR's
 * Solver_MCSVM_CS); the probability calibrations (Platt, pairwise coupling,
 * softmax temperature). Shared by linsvm.c and the tests. Never installed. */
#ifndef HOGFEAT_LINSVM_SOLVER_H
#define HOGFEAT_LINSVM_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "private.h"

/* Most binary problems one call of hogfeat__svm_solve_group() solves together. */
#define HOGFEAT__SVM_GROUP_MAX 16

/* One binary problem. The rows are read in place; nothing here is copied.
 * Row i of the problem (0 <= i < num_samples) is matrix row rows[i], or
 * row i when rows is NULL; sample_class and sqnorm are indexed by matrix
 * row, so one table serves every subset (one-vs-one pairs, CV folds). */
typedef struct hogfeat__svm_problem {
    const float *features;       /* matrix rows, row_stride floats apart */
    const size_t *rows;          /* num_samples matrix row numbers, or NULL for rows 0..num_samples-1 */
    size_t num_samples;          /* rows of this problem, >= 1 */
    size_t num_features;
    size_t row_stride;
    const int32_t *sample_class; /* class index of each matrix row */
    int32_t positive_class;      /* y = +1 where sample_class == positive_class, else -1 */
    const double *sqnorm;        /* per matrix row: |x|^2 + bias^2 (the implicit bias feature included) */
    double bias;                 /* B, value of the implicit last feature; 0 for none */
    hogfeat_svm_loss loss;
    double cp, cn;               /* C of the positive and the negative rows, > 0 */
    double tolerance;            /* stop when PGmax - PGmin <= tolerance over all rows */
    int32_t max_iterations;      /* passes over the active set, >= 1 */
    uint64_t seed;               /* visiting-order generator state, from hogfeat__svm_problem_seed() */
    const hogfeat__kernels *kernels;
    /* Polled between passes (never after the last one); non-zero cancels. May be NULL. */
    int (*should_stop)(void *ctx);
    void *stop_ctx;
} hogfeat__svm_problem;

typedef struct hogfeat__svm_stats {
    int32_t iterations;      /* passes made */
    int converged;           /* 1: stopped by the tolerance on the full set; 0: hit max_iterations */
    double dual_objective;   /* LIBLINEAR's "Objective value": (|w|^2 + sum a_i (a_i D_ii - 2)) / 2 */
    size_t support_vectors;  /* rows with alpha > 0 */
} hogfeat__svm_stats;

/* Called once per problem of a group, right after it finishes (its w and
 * *out_wb are final); non-zero cancels the rest of the group. */
typedef int (*hogfeat__svm_finished_fn)(void *ctx, size_t member);

/* How many problems one group over num_samples rows may hold, 1 to
 * HOGFEAT__SVM_GROUP_MAX: each problem's "row is active" flag lives in a
 * spare high bit of the row's entry in the order array. At least 2 for any
 * num_samples whose float rows size_t can address. */
size_t hogfeat__svm_group_capacity(size_t num_samples);

/* Solves count binary problems (1 to hogfeat__svm_group_capacity()) that
 * differ only in positive_class, cp and cn; every other field, seed
 * included, must be equal. Each pass visits the rows once, in an order
 * drawn from the shared seed, and a row is read once for all the problems
 * for which it is still active, so the features stream from memory once
 * per pass instead of once per problem. Problem m's result depends only on
 * its own fields and the shared order, never on the other members: a
 * problem gives the same bits alone as in any group.
 *
 * Scratch: alpha, count * num_samples doubles; order, num_samples entries.
 * Writes w[m] (num_features floats) and out_wb[m] (the weight of the bias
 * feature) of each member, stats[m] when stats is not NULL, and calls
 * finished (if not NULL) as each member finishes. Returns HOGFEAT_OK,
 * HOGFEAT_ERR_CANCELLED (should_stop or finished said so), or
 * HOGFEAT_ERR_NONFINITE (a step or a weight overflowed float: only with an
 * enormous C or extreme feature scales). Records no message: it runs on
 * worker threads, so the caller reports. Allocates nothing and is safe to
 * run concurrently on distinct scratch and outputs. */
hogfeat_status hogfeat__svm_solve_group(const hogfeat__svm_problem *problems, size_t count, double *alpha,
                                        size_t *order, float *const *w, double *out_wb, hogfeat__svm_stats *stats,
                                        hogfeat__svm_finished_fn finished, void *finished_ctx);

/* One problem: hogfeat__svm_solve_group() with count 1. alpha and index are
 * scratch of num_samples entries each; writes w (num_features floats) and
 * *out_wb; stats may be NULL. */
hogfeat_status hogfeat__svm_solve(const hogfeat__svm_problem *p, double *alpha, size_t *index, float *w,
                                  double *out_wb, hogfeat__svm_stats *stats);

/* Initial state of the visiting-order generator of a run seeded with seed.
 * The training code gives every problem the state of problem 0, so that
 * problems can share passes (see hogfeat__svm_solve_group()); distinct
 * problem numbers give independent states. */
uint64_t hogfeat__svm_problem_seed(int32_t seed, uint32_t problem);

/* The visiting-order generator (splitmix64), for callers that need more
 * draws from a seeded state (cross-validation folds): uniform in [0, n),
 * n >= 1. */
size_t hogfeat__svm_rng_below(uint64_t *state, size_t n);

/* ---- Crammer-Singer ---------------------------------------------------- */

/* The multi-class SVM of Crammer and Singer (JMLR 2001) by LIBLINEAR's
 * sequential dual method (Keerthi, Sundararajan, Chang, Hsieh and Lin, KDD
 * 2008; LIBLINEAR -s 4):
 *
 *     min_a  1/2 sum_m |w_m|^2 + sum_i sum_m e_i^m a_i^m,
 *     w_m = sum_i a_i^m x_i,  a_i^m <= C_i^m,  sum_m a_i^m = 0,
 *
 * with e_i^m = 0 and C_i^m = C_{y_i} for m = y_i, else 1 and 0. Rows as in
 * hogfeat__svm_problem (the bias B is a virtual last feature). */
typedef struct hogfeat__svm_cs_problem {
    const float *features;
    const size_t *rows;          /* as hogfeat__svm_problem */
    size_t num_samples;          /* >= 1 */
    size_t num_features;
    size_t row_stride;
    const int32_t *sample_class; /* per matrix row, in [0, num_classes) */
    size_t num_classes;          /* >= 2 */
    const double *class_c;       /* per class: C times its weight, > 0 */
    const double *sqnorm;        /* per matrix row, bias^2 included */
    double bias;
    double tolerance;            /* LIBLINEAR's eps: stop when the largest violation is below it */
    int32_t max_iterations;
    uint64_t seed;
    const hogfeat__kernels *kernels;
    int (*should_stop)(void *ctx);
    void *stop_ctx;
} hogfeat__svm_cs_problem;

/* Scratch bytes hogfeat__svm_solve_cs() needs for num_samples rows and
 * num_classes classes (aligned for double); 0 when that overflows size_t. */
size_t hogfeat__svm_cs_scratch_bytes(size_t num_samples, size_t num_classes);

/* Solves p into w[m] (num_features floats per class) and out_wb[m] (the
 * bias weight of class m). scratch: hogfeat__svm_cs_scratch_bytes() bytes,
 * suitably aligned for double (malloc's memory is). Same statuses and the
 * same threading rules as hogfeat__svm_solve_group(); stats may be NULL
 * (support_vectors counts rows with a non-zero alpha, dual_objective is
 * LIBLINEAR's "Objective value"). */
hogfeat_status hogfeat__svm_solve_cs(const hogfeat__svm_cs_problem *p, void *scratch, float *const *w,
                                     double *out_wb, hogfeat__svm_stats *stats);

/* ---- probability calibration (linsvm_solver.c) ------------------------- */

/* Platt's sigmoid P(y = 1 | f) = 1 / (1 + exp(A f + B)) fitted to l >= 1
 * decision values f with labels pos[i] (1 positive, 0 negative), by Lin,
 * Lin and Weng's algorithm (libsvm's sigmoid_train). Allocates nothing. */
void hogfeat__platt_fit(const double *f, const unsigned char *pos, size_t l, double *out_a, double *out_b);

/* log(1 / (1 + exp(z))), without overflow for any finite z. */
double hogfeat__log_sigmoid_neg(double z);

/* The scale s >= 0 of softmax(s f) minimising the cross-entropy of l rows
 * of k >= 2 values f (row-major) against targets: target_true[i] on class
 * cls[i], the rest spread evenly over the other classes. */
double hogfeat__softmax_scale_fit(const double *f, const int32_t *cls, const double *target_true, size_t l,
                                  size_t k);

/* libsvm's multiclass_probability (pairwise coupling, Wu, Lin and Weng
 * 2004, method 2) on its matrix q (nk x nk, built from the pairwise
 * probabilities r: q_tt = sum_{j != t} r_jt^2, q_tj = -r_jt r_tj): writes p
 * (nk doubles, summing to 1 up to rounding); qp is nk doubles of scratch. */
void hogfeat__couple_pairs(size_t nk, const double *q, double *p, double *qp);

#endif /* HOGFEAT_LINSVM_SOLVER_H */
