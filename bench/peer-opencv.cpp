// peer-opencv: the OpenCV side of bench-peers (see peer-opencv.h).
#include "peer-opencv.h"

#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/ml.hpp>
#include <opencv2/objdetect.hpp>

struct peer_cv_hog {
    cv::HOGDescriptor descriptor;
    std::vector<float> result;
};

struct peer_cv_knn {
    cv::Ptr<cv::ml::KNearest> model;
    cv::Mat results;
};

namespace {

thread_local std::string last_error;
std::string version_string;

void remember(const char *where, const std::exception &e)
{
    last_error = std::string(where) + ": " + e.what();
}

} // namespace

extern "C" {

const char *peer_cv_version(void)
{
    try {
        if (version_string.empty())
            version_string = cv::getVersionString();
        return version_string.c_str();
    } catch (const std::exception &e) {
        remember("cv::getVersionString", e);
        return "unknown";
    }
}

const char *peer_cv_header_version(void)
{
    return CV_VERSION;
}

int peer_cv_uses_ipp(void)
{
    try {
        return cv::ipp::useIPP() ? 1 : 0;
    } catch (const std::exception &e) {
        remember("cv::ipp::useIPP", e);
        return 0;
    }
}

void peer_cv_set_threads(int num_threads)
{
    try {
        cv::setNumThreads(num_threads);
    } catch (const std::exception &e) {
        remember("cv::setNumThreads", e);
    }
}

int peer_cv_get_threads(void)
{
    try {
        return cv::getNumThreads();
    } catch (const std::exception &e) {
        remember("cv::getNumThreads", e);
        return -1;
    }
}

const char *peer_cv_last_error(void)
{
    return last_error.c_str();
}

peer_cv_hog *peer_cv_hog_create(int width, int height, int cell_px, int num_bins)
{
    try {
        peer_cv_hog *hog = new peer_cv_hog;
        // winSigma -1 (OpenCV's default Gaussian block window), L2-Hys at
        // 0.2, gamma correction off (libhogfeat's transform_sqrt is off too),
        // unsigned gradients.
        hog->descriptor = cv::HOGDescriptor(cv::Size(width, height), cv::Size(2 * cell_px, 2 * cell_px),
                                            cv::Size(cell_px, cell_px), cv::Size(cell_px, cell_px), num_bins,
                                            1, -1.0, cv::HOGDescriptor::L2Hys, 0.2, false,
                                            cv::HOGDescriptor::DEFAULT_NLEVELS, false);
        hog->result.reserve(hog->descriptor.getDescriptorSize());
        return hog;
    } catch (const std::exception &e) {
        remember("cv::HOGDescriptor", e);
        return nullptr;
    }
}

long peer_cv_hog_compute(peer_cv_hog *hog, const uint8_t *pixels, int width, int height)
{
    try {
        // compute() only reads the image; the Mat borrows the pixels.
        const cv::Mat image(height, width, CV_8UC1, const_cast<uint8_t *>(pixels));
        hog->descriptor.compute(image, hog->result);
        return static_cast<long>(hog->result.size());
    } catch (const std::exception &e) {
        remember("cv::HOGDescriptor::compute", e);
        return -1;
    }
}

const float *peer_cv_hog_result(const peer_cv_hog *hog)
{
    return hog->result.data();
}

size_t peer_cv_hog_length(const peer_cv_hog *hog)
{
    return hog->descriptor.getDescriptorSize();
}

void peer_cv_hog_destroy(peer_cv_hog *hog)
{
    delete hog;
}

peer_cv_knn *peer_cv_knn_fit(const float *features, size_t num_samples, size_t num_features,
                             const int32_t *labels, int k)
{
    try {
        const cv::Mat samples(static_cast<int>(num_samples), static_cast<int>(num_features), CV_32F,
                              const_cast<float *>(features));
        cv::Mat responses(static_cast<int>(num_samples), 1, CV_32F);
        for (size_t i = 0; i < num_samples; i++)
            responses.at<float>(static_cast<int>(i), 0) = static_cast<float>(labels[i]);
        peer_cv_knn *knn = new peer_cv_knn;
        knn->model = cv::ml::KNearest::create();
        knn->model->setAlgorithmType(cv::ml::KNearest::BRUTE_FORCE);
        knn->model->setIsClassifier(true);
        knn->model->setDefaultK(k);
        // train() copies the samples into the model.
        if (!knn->model->train(samples, cv::ml::ROW_SAMPLE, responses)) {
            delete knn;
            last_error = "cv::ml::KNearest::train returned false";
            return nullptr;
        }
        return knn;
    } catch (const std::exception &e) {
        remember("cv::ml::KNearest::train", e);
        return nullptr;
    }
}

int peer_cv_knn_predict(peer_cv_knn *knn, const float *queries, size_t num_queries, size_t num_features,
                        int k, int32_t *out_labels)
{
    try {
        const cv::Mat q(static_cast<int>(num_queries), static_cast<int>(num_features), CV_32F,
                        const_cast<float *>(queries));
        knn->model->findNearest(q, k, knn->results);
        if (knn->results.rows != static_cast<int>(num_queries) || knn->results.type() != CV_32F) {
            last_error = "cv::ml::KNearest::findNearest: unexpected result shape";
            return -1;
        }
        for (size_t i = 0; i < num_queries; i++)
            out_labels[i] = static_cast<int32_t>(cvRound(knn->results.at<float>(static_cast<int>(i), 0)));
        return 0;
    } catch (const std::exception &e) {
        remember("cv::ml::KNearest::findNearest", e);
        return -1;
    }
}

void peer_cv_knn_destroy(peer_cv_knn *knn)
{
    delete knn;
}

} // extern "C"
