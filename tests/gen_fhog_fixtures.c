/* Generate VLFeat UoCTTI HOG parity fixtures for libhogfeat's FHOG.
 *
 * Not part of the build (the tests need only the committed fixtures, not
 * VLFeat). Build and run by hand from the repository root on Debian with
 * libvlfeat-dev 0.9.21:
 *
 *     cc -std=c11 -O2 -Wall -Wextra -o /tmp/gen_fhog_fixtures tests/gen_fhog_fixtures.c -lvl -lm
 *     /tmp/gen_fhog_fixtures tests/data/fhog
 *
 * It writes tests/data/fhog/NNN-name.fix and tests/data/fhog/README.md,
 * overwriting files of the same names (delete stale ones by hand if a case
 * is renamed). Images come from a fixed-seed xorshift generator and closed
 * formulas, so a rerun reproduces the files byte for byte.
 *
 * Each case: vl_hog_new(VlHogVariantUoctti, orientations, VL_FALSE),
 * vl_hog_put_image(hog, image, width, height, channels, cell_size) on a
 * planar float image holding the fixture's samples (uint8 values 0-255 as
 * floats), vl_hog_extract(). File format in the README text below. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vl/generic.h>
#include <vl/hog.h>

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

typedef struct spec {
    const char *name;
    int width, height, channels;
    int f32;
    const char *content;
    int orientations, cell_size;
} spec;

static const spec CASES[] = {
    {"gray-u8-noise", 64, 48, 1, 0, "noise", 9, 8},
    {"gray-u8-shapes", 40, 40, 1, 0, "shapes", 9, 4},
    {"gray-f32-sin-odd", 61, 45, 1, 1, "sin", 9, 6},
    {"rgb-u8-noise", 50, 34, 3, 0, "noise", 9, 8},
    {"rgb-f32-sin", 36, 44, 3, 1, "sin", 9, 5},
    {"gray-f32-o6", 48, 40, 1, 1, "noise", 6, 8},
    {"gray-u8-o4", 30, 26, 1, 0, "shapes", 4, 4},
    {"gray-u8-o1", 20, 20, 1, 0, "noise", 1, 4},
    {"tiny-4x4-one-cell", 4, 4, 1, 0, "noise", 9, 8},
    {"tiny-5x9", 5, 9, 1, 1, "noise", 9, 4},
    {"gray-u8-constant", 24, 16, 1, 0, "constant", 9, 8},
    {"gray-f32-large", 32, 32, 1, 1, "large", 9, 8},
    {"rgb-u8-equal-channels", 24, 24, 3, 0, "gray-rgb", 9, 4},
    {"gray-u8-cell3", 25, 19, 1, 0, "noise", 9, 3},
    {"gray-u8-cell16", 80, 70, 1, 0, "sin", 9, 16},
    {"rgb-f32-shapes-cell7", 45, 31, 3, 1, "shapes", 9, 7},
};

/* Sample (x, y, c) of the case as a double in the image's range. */
static double content(const spec *s, int x, int y, int c)
{
    const double w = s->width, h = s->height;
    if (strcmp(s->content, "noise") == 0)
        return s->f32 ? rng_unit() : (double)(rng_next() % 256);
    if (strcmp(s->content, "large") == 0)
        return rng_unit() * 1000.0;
    if (strcmp(s->content, "constant") == 0)
        return 117.0;
    if (strcmp(s->content, "sin") == 0) {
        double v = 0.5 + 0.5 * sin(2 * 3.141592653589793 * ((1.7 + 0.4 * c) * x / w + (1.1 - 0.3 * c) * y / h) + c);
        return s->f32 ? v : floor(v * 255.0 + 0.5);
    }
    if (strcmp(s->content, "gray-rgb") == 0) {
        (void)c;
        return (double)((x * 37 + y * 11) % 256);
    }
    /* shapes: a disc, a bar and a diagonal, binary; channels shifted */
    double cx = w / 2.5 + c, cy = h / 2.0;
    int on = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= (h / 3.5) * (h / 3.5);
    on |= y > h / 8 && y < h / 8 + 3 && x > w / 2;
    on |= abs(x - y) <= 1 && y > h / 2;
    return on ? (s->f32 ? 1.0 : 255.0) : 0.0;
}

static void put_u32_le(FILE *fp, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, fp);
}

static void put_f32_le(FILE *fp, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32_le(fp, u);
}

static const char README[] =
    "# VLFeat UoCTTI HOG parity fixtures\n"
    "\n"
    "Reference FHOG descriptors from VLFeat %s (`vl_hog` with\n"
    "`VlHogVariantUoctti`), read by `tests/test-fhog.c` (the `fhog` test:\n"
    "`meson test -C build fhog`). The test needs no VLFeat.\n"
    "\n"
    "## How they were made\n"
    "\n"
    "    cc -std=c11 -O2 -Wall -Wextra -o /tmp/gen_fhog_fixtures tests/gen_fhog_fixtures.c -lvl -lm\n"
    "    /tmp/gen_fhog_fixtures tests/data/fhog\n"
    "\n"
    "on Debian 12 with `libvlfeat-dev` 0.9.21. For each case the program fills\n"
    "an image from a fixed-seed xorshift64* generator or a closed formula,\n"
    "converts it to VLFeat's planar float layout (uint8 samples keep their\n"
    "0-255 values), and runs `vl_hog_new(VlHogVariantUoctti, orientations,\n"
    "VL_FALSE)`, `vl_hog_put_image(hog, image, width, height, channels,\n"
    "cell_size)` and `vl_hog_extract`.\n"
    "\n"
    "## File format `hogfeat-fhog-fixture 1`\n"
    "\n"
    "All binary numbers are little-endian.\n"
    "\n"
    "1. An ASCII header of `key value` lines, terminated by the line `end`:\n"
    "   `name`, `width`, `height`, `channels` (1 or 3), `dtype` (`u8` or\n"
    "   `f32`), `orientations` (VLFeat's numOrientations n), `cell_size`,\n"
    "   `cells_x` and `cells_y` (`vl_hog_get_width` and `vl_hog_get_height`),\n"
    "   `dimension` (`vl_hog_get_dimension`, 3 n + 4).\n"
    "2. The image: height * width * channels samples, row-major, channels\n"
    "   interleaved (libhogfeat's layout; VLFeat was given the same samples as\n"
    "   planes), uint8 or float32.\n"
    "3. cells_x * cells_y * dimension float32 values in VLFeat's order:\n"
    "   dimension-major planes, value (d, cy, cx) at d * cells_x * cells_y +\n"
    "   cy * cells_x + cx.\n"
    "\n"
    "## Cases\n"
    "\n"
    "| file | size | channels | dtype | content | orientations | cell | cells | dimension |\n"
    "| ---- | ---- | -------- | ----- | ------- | ------------ | ---- | ----- | --------- |\n";

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/data/fhog";
    char path[4096];
    snprintf(path, sizeof path, "%s/README.md", dir);
    FILE *readme = fopen(path, "w");
    if (!readme) {
        perror(path);
        return 1;
    }
    fprintf(readme, README, vl_get_version_string());
    const size_t ncases = sizeof CASES / sizeof CASES[0];
    for (size_t i = 0; i < ncases; i++) {
        const spec *s = &CASES[i];
        rng_state = 0x9E3779B97F4A7C15ull + 7919u * (uint64_t)i;
        const size_t npix = (size_t)s->width * (size_t)s->height;
        float *planar = malloc(npix * (size_t)s->channels * sizeof *planar);
        double *inter = malloc(npix * (size_t)s->channels * sizeof *inter);
        for (int y = 0; y < s->height; y++)
            for (int x = 0; x < s->width; x++)
                for (int c = 0; c < s->channels; c++) {
                    double v = content(s, x, y, c);
                    if (s->f32)
                        v = (double)(float)v;
                    inter[((size_t)y * (size_t)s->width + (size_t)x) * (size_t)s->channels + (size_t)c] = v;
                    planar[(size_t)c * npix + (size_t)y * (size_t)s->width + (size_t)x] = (float)v;
                }
        VlHog *hog = vl_hog_new(VlHogVariantUoctti, (vl_size)s->orientations, VL_FALSE);
        vl_hog_put_image(hog, planar, (vl_size)s->width, (vl_size)s->height, (vl_size)s->channels,
                         (vl_size)s->cell_size);
        vl_size hw = vl_hog_get_width(hog), hh = vl_hog_get_height(hog), dim = vl_hog_get_dimension(hog);
        if (hw != (vl_size)((s->width + s->cell_size / 2) / s->cell_size) || dim != (vl_size)(3 * s->orientations + 4)) {
            fprintf(stderr, "%s: unexpected VLFeat geometry\n", s->name);
            return 1;
        }
        float *features = malloc(hw * hh * dim * sizeof *features);
        vl_hog_extract(hog, features);
        vl_hog_delete(hog);

        char fname[256];
        snprintf(fname, sizeof fname, "%03zu-%s.fix", i, s->name);
        snprintf(path, sizeof path, "%s/%s", dir, fname);
        FILE *fp = fopen(path, "wb");
        if (!fp) {
            perror(path);
            return 1;
        }
        fprintf(fp,
                "hogfeat-fhog-fixture 1\nname %s\nwidth %d\nheight %d\nchannels %d\ndtype %s\norientations %d\n"
                "cell_size %d\ncells_x %lu\ncells_y %lu\ndimension %lu\nend\n",
                s->name, s->width, s->height, s->channels, s->f32 ? "f32" : "u8", s->orientations, s->cell_size,
                (unsigned long)hw, (unsigned long)hh, (unsigned long)dim);
        for (size_t k = 0; k < npix * (size_t)s->channels; k++) {
            if (s->f32)
                put_f32_le(fp, (float)inter[k]);
            else
                fputc((int)inter[k], fp);
        }
        for (size_t k = 0; k < hw * hh * dim; k++)
            put_f32_le(fp, features[k]);
        if (fclose(fp) != 0) {
            perror(path);
            return 1;
        }
        fprintf(readme, "| `%s` | %dx%d | %d | %s | %s | %d | %d | %lux%lu | %lu |\n", fname, s->width, s->height,
                s->channels, s->f32 ? "f32" : "u8", s->content, s->orientations, s->cell_size, (unsigned long)hw,
                (unsigned long)hh, (unsigned long)dim);
        printf("%-36s %lux%lu cells x %lu\n", fname, (unsigned long)hw, (unsigned long)hh, (unsigned long)dim);
        free(features);
        free(planar);
        free(inter);
    }
    fclose(readme);
    return 0;
}
