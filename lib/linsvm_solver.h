/* Dual coordinate descent for one binary L2-regularised SVM (LIBLINEAR's
 * solve_l2r_l1l2_svc), shared by linsvm.c and the tests. Never installed. */
#ifndef HOGFEAT_LINSVM_SOLVER_H
#define HOGFEAT_LINSVM_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "private.h"

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
    uint64_t seed;               /* permutation generator state, from hogfeat__svm_problem_seed() */
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

/* Solves p. alpha and index are scratch of num_samples entries each. Writes
 * w (num_features floats) and *out_wb, the weight of the bias feature.
 * Returns HOGFEAT_OK, HOGFEAT_ERR_CANCELLED (should_stop said so), or
 * HOGFEAT_ERR_NONFINITE (a step or a weight overflowed float: only with
 * an enormous C or extreme feature scales). Records no message: it runs on
 * worker threads, so the caller reports. stats may be NULL. Allocates nothing
 * and is safe to run concurrently on distinct w, alpha and index. */
hogfeat_status hogfeat__svm_solve(const hogfeat__svm_problem *p, double *alpha, size_t *index, float *w,
                                  double *out_wb, hogfeat__svm_stats *stats);

/* Initial state of the permutation generator of binary problem number
 * problem in a run seeded with seed: independent of the order in which
 * problems run, so results do not depend on the thread count. */
uint64_t hogfeat__svm_problem_seed(int32_t seed, uint32_t problem);

#endif /* HOGFEAT_LINSVM_SOLVER_H */
