/* The OpenCV preset of HOG: cv::HOGDescriptor::compute (OpenCV 4.6) on the
 * whole image as one window. Being written. */
#include "private.h"

hogfeat_status hogfeat__hog_compute_opencv(const hogfeat_hog_config *config, const hogfeat_image *image,
                                           float *out_features, hogfeat__workspace *ws)
{
    (void)config;
    (void)image;
    (void)out_features;
    (void)ws;
    return hogfeat__fail(HOGFEAT_ERR_UNSUPPORTED_FORMAT, "the OpenCV preset is not implemented yet");
}
