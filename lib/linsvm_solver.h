/* Dual coordinate descent for binary L2-regularised SVMs (LIBLINEAR's
 * solve_l2r_l1l2_svc), one problem at a time or several over the same rows
 * at once; shared by linsvm.c and the tests. Never installed. */
#ifndef HOGFEAT_LINSVM_SOLVER_H
#define HOGFEAT_LINSVM_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "private.h"

/* Most binary problems one call of hogfeat__svm_solve_group() solves together. */
#define HOGFEAT__SVM_GROUP_MAX 16

/* One binary problem. The rows are read in place; nothing here is copied. */
typedef struct hogfeat__svm_problem {
    const float *features;       /* num_samples rows, row_stride floats apart */
    size_t num_samples;
    size_t num_features;
    size_t row_stride;
    const int32_t *sample_class; /* class index of each row */
    int32_t positive_class;      /* y = +1 where sample_class == positive_class, else -1 */
    const double *sqnorm;        /* per row: |x|^2 + bias^2 (the implicit bias feature included) */
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

#endif /* HOGFEAT_LINSVM_SOLVER_H */
