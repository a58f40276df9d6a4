/* The C side of the Python throughput test: time hogfeat_hog_compute_stack
 * on a raw file of N x H x W uint8 images (4x4-px cells, 2x2-cell blocks,
 * 9 bins, L2-Hys) into one preallocated matrix.
 *
 * Usage: bench-stack FILE N H W THREADS
 * Then, one command per line on standard input, one answer per line:
 *   run   compute the whole stack once; answers the seconds it took
 *   sum   answers the sum of the features of the last run (a checksum)
 * so that the test can alternate C and Python runs under the same load. */
#include <hogfeat/hogfeat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(hogfeat_status st)
{
    fprintf(stderr, "bench-stack: %s: %s\n", hogfeat_status_name(st), hogfeat_last_error_message());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench-stack FILE N H W THREADS\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), h = strtoul(argv[3], NULL, 10), w = strtoul(argv[4], NULL, 10);
    int threads = atoi(argv[5]);
    unsigned char *pixels = malloc(n * h * w);
    FILE *f = fopen(argv[1], "rb");
    if (!pixels || !f || fread(pixels, 1, n * h * w, f) != n * h * w) {
        fprintf(stderr, "bench-stack: cannot read %zu images of %zux%zu from %s\n", n, w, h, argv[1]);
        return 1;
    }
    fclose(f);

    hogfeat_hog_config *config = NULL;
    hogfeat_status st = hogfeat_hog_config_create(&config);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_cell_size(config, 4, 4);
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_config_set_block_size(config, 2, 2);
    size_t length = 0;
    if (st == HOGFEAT_OK)
        st = hogfeat_hog_feature_length(config, w, h, &length);
    if (st != HOGFEAT_OK)
        return fail(st);
    float *features = malloc(n * length * sizeof *features);
    if (!features)
        return 1;

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (!strncmp(line, "run", 3)) {
            double t0 = now();
            st = hogfeat_hog_compute_stack(config, pixels, HOGFEAT_FORMAT_U8_GRAY, n, w, h, 0, 0, threads, features,
                                           length, n * length);
            double t = now() - t0;
            if (st != HOGFEAT_OK)
                return fail(st);
            printf("%.9f\n", t);
        } else if (!strncmp(line, "sum", 3)) {
            double sum = 0;
            for (size_t i = 0; i < n * length; i++)
                sum += features[i];
            printf("%.6f\n", sum);
        } else {
            fprintf(stderr, "bench-stack: unknown command %s", line);
            return 2;
        }
        fflush(stdout);
    }
    free(features);
    free(pixels);
    hogfeat_hog_config_destroy(config);
    return 0;
}
