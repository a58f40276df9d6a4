// digits: the C API from C++17 with RAII (see hogfeat.hpp): no handle can
// leak, whichever call throws.
//
//   digits             the descriptor of a synthetic image, one image and a stack
//   digits DATA_DIR    also train a linear SVM on an MNIST-layout directory,
//                      save it to memory, load it back and evaluate both
#include "hogfeat.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

hogfeat::hog_config digit_config()
{
    auto config = hogfeat::make<hogfeat::hog_config>(hogfeat_hog_config_create, "hog_config_create");
    hogfeat::check(hogfeat_hog_config_set_cell_size(config.get(), 4, 4), "set_cell_size");
    hogfeat::check(hogfeat_hog_config_set_block_size(config.get(), 2, 2), "set_block_size");
    return config;
}

// Descriptors of `count` packed images in one buffer (borrowed for the call), one row each.
std::vector<float> describe_stack(const hogfeat_hog_config *config, const std::uint8_t *pixels, std::size_t count,
                                  std::size_t width, std::size_t height)
{
    std::size_t length = 0;
    hogfeat::check(hogfeat_hog_feature_length(config, width, height, &length), "feature_length");
    std::vector<float> features(count * length);
    hogfeat::check(hogfeat_hog_compute_stack(config, pixels, HOGFEAT_FORMAT_U8_GRAY, count, width, height, 0,
                                             0, 0, features.data(), length, features.size()),
                   "compute_stack");
    return features;
}

void synthetic()
{
    const std::size_t w = 32, h = 32, n = 4;
    std::vector<std::uint8_t> pixels(n * w * h);
    for (std::size_t i = 0; i < pixels.size(); i++)
        pixels[i] = static_cast<std::uint8_t>((i * 7 + i / w * 3) % 251);
    auto config = digit_config();

    // One image: a borrowed handle over the first image's pixels.
    auto img = hogfeat::make<hogfeat::image>(hogfeat_image_wrap, "image_wrap",
                                             static_cast<const void *>(pixels.data()), HOGFEAT_FORMAT_U8_GRAY, w, h, w);
    std::size_t length = 0;
    hogfeat::check(hogfeat_hog_feature_length(config.get(), w, h, &length), "feature_length");
    std::vector<float> one(length);
    hogfeat::check(hogfeat_hog_compute(config.get(), img.get(), one.data(), one.size()), "compute");

    // The whole stack in one call; row 0 must be the same descriptor.
    std::vector<float> all = describe_stack(config.get(), pixels.data(), n, w, h);
    for (std::size_t i = 0; i < length; i++)
        if (all[i] != one[i])
            throw std::runtime_error("compute_stack and compute disagree");
    std::printf("synthetic: %zu images, %zu features each, first %.4f\n", n, length, static_cast<double>(one[0]));

    // An error is an exception with the library's message; nothing leaks.
    try {
        hogfeat::check(hogfeat_hog_config_set_cell_size(config.get(), 0, 4), "set_cell_size");
    } catch (const hogfeat::error &e) {
        std::printf("expected error: %s\n", e.what());
    }
}

void train_and_evaluate(const char *dir)
{
    auto train = hogfeat::make<hogfeat::dataset>(hogfeat_dataset_load_mnist, "load train", dir, HOGFEAT_SPLIT_TRAIN,
                                                 static_cast<const hogfeat_limits *>(nullptr));
    auto test = hogfeat::make<hogfeat::dataset>(hogfeat_dataset_load_mnist, "load test", dir, HOGFEAT_SPLIT_TEST,
                                                static_cast<const hogfeat_limits *>(nullptr));
    auto config = digit_config();
    auto features_of = [&](const hogfeat_dataset *set) {
        return describe_stack(config.get(), hogfeat_dataset_pixels(set), hogfeat_dataset_count(set),
                              hogfeat_dataset_width(set), hogfeat_dataset_height(set));
    };
    std::size_t dim = 0;
    hogfeat::check(hogfeat_hog_feature_length(config.get(), hogfeat_dataset_width(train.get()),
                                              hogfeat_dataset_height(train.get()), &dim),
                   "feature_length");
    std::vector<float> x_train = features_of(train.get()), x_test = features_of(test.get());

    auto params = hogfeat::make<hogfeat::linsvm_params>(hogfeat_linsvm_params_create, "params_create");
    hogfeat::check(hogfeat_linsvm_params_set_c(params.get(), 0.1), "set_c");
    hogfeat::check(hogfeat_linsvm_params_set_threads(params.get(), 0), "set_threads");
    auto svm = hogfeat::make<hogfeat::linsvm>(hogfeat_linsvm_train, "train",
                                              static_cast<const hogfeat_linsvm_params *>(params.get()),
                                              static_cast<const float *>(x_train.data()), hogfeat_dataset_count(train.get()),
                                              dim, dim, hogfeat_dataset_labels(train.get()));

    // Save to memory (query the size, then write) and load it back.
    std::size_t size = 0;
    hogfeat_status st = hogfeat_linsvm_save(svm.get(), nullptr, 0, &size);
    if (st != HOGFEAT_ERR_BUFFER_TOO_SMALL)
        hogfeat::check(st, "save (size query)");
    std::vector<unsigned char> bytes(size);
    hogfeat::check(hogfeat_linsvm_save(svm.get(), bytes.data(), bytes.size(), &size), "save");
    auto loaded = hogfeat::make<hogfeat::linsvm>(hogfeat_linsvm_load, "load", static_cast<const void *>(bytes.data()),
                                                 bytes.size(), static_cast<const hogfeat_limits *>(nullptr));

    std::size_t n = hogfeat_dataset_count(test.get()), correct = 0;
    std::vector<std::int32_t> predicted(n), again(n);
    hogfeat::check(hogfeat_linsvm_predict(svm.get(), x_test.data(), n, dim, dim, predicted.data()), "predict");
    hogfeat::check(hogfeat_linsvm_predict(loaded.get(), x_test.data(), n, dim, dim, again.data()), "predict");
    if (predicted != again)
        throw std::runtime_error("the loaded model predicts differently");
    for (std::size_t i = 0; i < n; i++)
        correct += predicted[i] == hogfeat_dataset_labels(test.get())[i];
    std::printf("%s: model of %zu bytes, test accuracy %.2f %% (%zu / %zu)\n", dir, bytes.size(),
                n ? 100.0 * static_cast<double>(correct) / static_cast<double>(n) : 0.0, correct, n);
}

} // namespace

int main(int argc, char **argv)
{
    try {
        synthetic();
        if (argc > 1)
            train_and_evaluate(argv[1]);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "digits: %s\n", e.what());
        return 1;
    }
    return 0;
}
