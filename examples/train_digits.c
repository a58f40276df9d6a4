/* train_digits: HOG + linear SVM on an MNIST-layout directory, end to end.
 * Load both splits, extract features through a pipeline (Gaussian blur,
 * then 4x4-px cells, 2x2-cell blocks), train, evaluate, save the pipeline.
 * Usage: train_digits DATA_DIR MODEL_OUT    Exit status: 0 ok, 1 error, 2 usage. */
#include <hogfeat/hogfeat.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(call)                                                                                     \
    do {                                                                                                \
        hogfeat_status st_ = (call);                                                                    \
        if (st_ != HOGFEAT_OK) {                                                                        \
            fprintf(stderr, "train_digits: %s: %s\n", hogfeat_status_name(st_), hogfeat_last_error_message()); \
            goto done;                                                                                  \
        }                                                                                               \
    } while (0)

/* Features of every image of a dataset, one row each (caller frees). */
static hogfeat_status extract(const hogfeat_pipeline *pipe, const hogfeat_dataset *set, size_t dim, float **rows)
{
    size_t n = hogfeat_dataset_count(set);
    if (!(*rows = malloc(n * dim * sizeof **rows)))
        return HOGFEAT_ERR_OUT_OF_MEMORY;
    return hogfeat_pipeline_extract_stack(pipe, hogfeat_dataset_pixels(set), HOGFEAT_FORMAT_U8_GRAY, n,
                                          hogfeat_dataset_width(set), hogfeat_dataset_height(set), 0, 0,
                                          0 /* all CPUs */, *rows, dim, n * dim);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: train_digits DATA_DIR MODEL_OUT\n");
        return 2;
    }
    hogfeat_dataset *train = NULL, *test = NULL;
    hogfeat_hog_config *hog = NULL;
    hogfeat_pipeline *pipe = NULL;
    hogfeat_linsvm_params *params = NULL;
    hogfeat_linsvm *svm = NULL;
    float *train_x = NULL, *test_x = NULL;
    int32_t *predicted = NULL;
    size_t dim = 0;
    int rc = 1;

    CHECK(hogfeat_dataset_load_mnist(argv[1], HOGFEAT_SPLIT_TRAIN, NULL, &train));
    CHECK(hogfeat_dataset_load_mnist(argv[1], HOGFEAT_SPLIT_TEST, NULL, &test));
    CHECK(hogfeat_hog_config_create(&hog));
    CHECK(hogfeat_hog_config_set_cell_size(hog, 4, 4));
    CHECK(hogfeat_hog_config_set_block_size(hog, 2, 2));
    CHECK(hogfeat_pipeline_create(hog, &pipe));
    CHECK(hogfeat_pipeline_set_blur(pipe, 1.2));
    CHECK(hogfeat_pipeline_feature_length(pipe, hogfeat_dataset_width(train), hogfeat_dataset_height(train), &dim));
    CHECK(extract(pipe, train, dim, &train_x));
    CHECK(extract(pipe, test, dim, &test_x));

    CHECK(hogfeat_linsvm_params_create(&params));
    CHECK(hogfeat_linsvm_params_set_c(params, 0.1));
    CHECK(hogfeat_linsvm_params_set_tolerance(params, 0.01));
    CHECK(hogfeat_linsvm_params_set_threads(params, 0));
    CHECK(hogfeat_linsvm_train(params, train_x, hogfeat_dataset_count(train), dim, dim,
                               hogfeat_dataset_labels(train), &svm));

    size_t n_test = hogfeat_dataset_count(test), correct = 0;
    if (!(predicted = malloc((n_test ? n_test : 1) * sizeof *predicted)))
        CHECK(HOGFEAT_ERR_OUT_OF_MEMORY);
    CHECK(hogfeat_linsvm_predict(svm, test_x, n_test, dim, dim, predicted));
    for (size_t i = 0; i < n_test; i++)
        correct += predicted[i] == hogfeat_dataset_labels(test)[i];

    CHECK(hogfeat_pipeline_set_linsvm(pipe, svm)); /* the pipeline keeps its own reference */
    CHECK(hogfeat_pipeline_save_file(pipe, argv[2]));
    printf("train: %zu images, %zu features each\n", hogfeat_dataset_count(train), dim);
    printf("test accuracy: %.2f %% (%zu / %zu)\n", n_test ? 100.0 * (double)correct / (double)n_test : 0.0,
           correct, n_test);
    printf("model: %s\n", argv[2]);
    rc = 0;
done:
    free(predicted);
    free(test_x);
    free(train_x);
    hogfeat_linsvm_destroy(svm);
    hogfeat_linsvm_params_destroy(params);
    hogfeat_pipeline_destroy(pipe);
    hogfeat_hog_config_destroy(hog);
    hogfeat_dataset_destroy(test);
    hogfeat_dataset_destroy(train);
    return rc;
}
