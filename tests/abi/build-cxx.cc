// The public headers as C++: extern "C" linkage and no C-only constructs.
#include <hogfeat/hogfeat.h>

#include <cstring>
#include <vector>

int main()
{
    hogfeat_hog_config *config = nullptr;
    if (hogfeat_hog_config_create(&config) != HOGFEAT_OK)
        return 1;
    hogfeat_image *image = nullptr;
    if (hogfeat_image_create(HOGFEAT_FORMAT_U8_GRAY, 24, 24, &image) != HOGFEAT_OK)
        return 2;
    size_t length = 0;
    if (hogfeat_hog_feature_length(config, 24, 24, &length) != HOGFEAT_OK || length != 81)
        return 3;
    std::vector<float> features(length);
    hogfeat_status status = hogfeat_hog_compute(config, image, features.data(), features.size());
    hogfeat_image_destroy(image);
    hogfeat_hog_config_destroy(config);
    if (status != HOGFEAT_OK || std::strlen(hogfeat_strerror(status)) == 0)
        return 4;
    return hogfeat_version_number() == HOGFEAT_VERSION_NUMBER ? 0 : 5;
}
