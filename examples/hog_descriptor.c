/* The README's example: the HOG descriptor of an 8-bit grayscale image. */
#include <hogfeat/hogfeat.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    static unsigned char pixels[64 * 64]; /* your image, row-major */
    for (int i = 0; i < 64 * 64; i++)
        pixels[i] = (unsigned char)((i % 64) * (i / 64) % 251);

    hogfeat_hog_config *config = NULL;
    hogfeat_image *image = NULL;
    float *features = NULL;
    size_t length = 0;
    hogfeat_status st = hogfeat_hog_config_create(&config); /* scikit-image defaults */
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(config, 8, 8);
    if (st == HOGFEAT_OK) /* borrows pixels: no copy */
        st = hogfeat_image_wrap(pixels, HOGFEAT_FORMAT_U8_GRAY, 64, 64, 64, &image);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_feature_length(config, 64, 64, &length);
    if (st == HOGFEAT_OK && !(features = malloc(length * sizeof *features)))
        st = HOGFEAT_ERR_OUT_OF_MEMORY;
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_compute(config, image, features, length);
    if (st == HOGFEAT_OK)
        printf("%zu features, first %.4f\n", length, features[0]);
    else
        fprintf(stderr, "hogfeat: %s: %s\n", hogfeat_strerror(st), hogfeat_last_error_message());
    free(features);
    hogfeat_image_destroy(image);
    hogfeat_hog_config_destroy(config);
    return st == HOGFEAT_OK ? 0 : 1;
}
