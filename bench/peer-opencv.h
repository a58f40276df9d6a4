/* peer-opencv: a small C interface to the OpenCV calls bench-peers times,
 * so the benchmark itself stays C and builds without a C++ compiler or
 * OpenCV (bench/meson.build then leaves this file's .cpp out).
 *
 * Every function catches OpenCV's exceptions; a failing call returns NULL
 * or -1 and leaves a message for peer_cv_last_error(). Benchmark code only:
 * nothing here is part of libhogfeat. */
#ifndef HOGFEAT_BENCH_PEER_OPENCV_H
#define HOGFEAT_BENCH_PEER_OPENCV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peer_cv_hog peer_cv_hog;
typedef struct peer_cv_knn peer_cv_knn;

/* Run-time version (cv::getVersionString()) and build-time CV_VERSION. */
const char *peer_cv_version(void);
const char *peer_cv_header_version(void);
/* 1 when OpenCV was built with and uses Intel IPP. */
int peer_cv_uses_ipp(void);
/* cv::setNumThreads / cv::getNumThreads. */
void peer_cv_set_threads(int num_threads);
int peer_cv_get_threads(void);
/* Message of the last failing call on this thread. */
const char *peer_cv_last_error(void);

/* cv::HOGDescriptor with winSize = width x height, blockSize 2 x cell_px,
 * blockStride and cellSize cell_px, nbins, L2-Hys (0.2), no gamma
 * correction, unsigned gradients. */
peer_cv_hog *peer_cv_hog_create(int width, int height, int cell_px, int num_bins);
/* One window (the whole image): cv::HOGDescriptor::compute on a u8 image
 * with packed rows, wrapped without a copy. Returns the descriptor length
 * or -1; the descriptor stays in the handle (peer_cv_hog_result) so no
 * copy is timed. */
long peer_cv_hog_compute(peer_cv_hog *hog, const uint8_t *pixels, int width, int height);
const float *peer_cv_hog_result(const peer_cv_hog *hog);
/* Expected length from HOGDescriptor::getDescriptorSize(). */
size_t peer_cv_hog_length(const peer_cv_hog *hog);
void peer_cv_hog_destroy(peer_cv_hog *hog);

/* cv::ml::KNearest, brute force, classifier; copies the training rows. */
peer_cv_knn *peer_cv_knn_fit(const float *features, size_t num_samples, size_t num_features,
                             const int32_t *labels, int k);
/* findNearest on num_queries packed rows; 0 on success, -1 on failure. */
int peer_cv_knn_predict(peer_cv_knn *knn, const float *queries, size_t num_queries, size_t num_features,
                        int k, int32_t *out_labels);
void peer_cv_knn_destroy(peer_cv_knn *knn);

#ifdef __cplusplus
}
#endif

#endif /* HOGFEAT_BENCH_PEER_OPENCV_H */
