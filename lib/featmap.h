/* Extra pipeline descriptors and explicit feature maps (lib/featmap.c):
 * the map arithmetic, the RBF map's random draws, and the DESC and FMAP
 * sections of the model file. Internal to lib/; never installed. */
#ifndef HOGFEAT_FEATMAP_H
#define HOGFEAT_FEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "private.h"

/* One descriptor after the pipeline's first HOG. */
typedef struct hogfeat__descriptor {
    hogfeat_descriptor_kind kind;
    hogfeat_hog_config hog;  /* kind HOG: a copy */
    hogfeat_lbp_config *lbp; /* kind LBP: an owned copy */
} hogfeat__descriptor;

/* A feature map. NONE has every other field 0. */
typedef struct hogfeat__map {
    hogfeat_feature_map kind;
    int32_t param;       /* steps (chi2, intersection) or D (RBF) */
    double param2;       /* sampling interval in use, or gamma */
    int32_t seed;        /* RBF */
    size_t input_length; /* RBF: n, the rows of weights */
    float *weights;      /* RBF: n x D, row-major; owned */
    float *offsets;      /* RBF: D; owned */
} hogfeat__map;

/* What a pipeline holds beyond 0.4's single HOG; NULL in the pipeline
 * until a descriptor or a map is added. */
typedef struct hogfeat__pipeline_ext {
    size_t num_extra;
    hogfeat__descriptor extra[HOGFEAT_PIPELINE_MAX_DESCRIPTORS - 1];
    hogfeat__map map;
} hogfeat__pipeline_ext;

/* The pipeline's extension, created (zeroed, map NONE) on first use. */
hogfeat_status hogfeat__pipeline_ext_get(hogfeat_pipeline *pipeline, hogfeat__pipeline_ext **out);
void hogfeat__pipeline_ext_free(hogfeat__pipeline_ext *ext);
void hogfeat__map_clear(hogfeat__map *map);
/* Replaces map with an RBF map that takes ownership of weights and offsets. */
void hogfeat__map_set_rbf(hogfeat__map *map, int32_t num_components, double gamma, int32_t seed, size_t n,
                          float *weights, float *offsets);

/* 1 when a pipeline computes only its first HOG, without a map. */
static inline int hogfeat__pipeline_is_plain(const hogfeat_pipeline *p)
{
    return !p->ext || (p->ext->num_extra == 0 && p->ext->map.kind == HOGFEAT_FEATURE_MAP_NONE);
}

/* Checks (kind, steps, interval) of a deterministic map and resolves a 0
 * interval to its default; INVALID_ARGUMENT with a message otherwise. */
hogfeat_status hogfeat__map_check(hogfeat_feature_map kind, int32_t steps, double interval,
                                  double *out_interval);

/* Output length of map for an input length n: DIMENSION_MISMATCH for an
 * RBF map of another n, LIMIT_EXCEEDED on overflow. */
hogfeat_status hogfeat__map_output_length(const hogfeat__map *map, size_t n, size_t *out_length);

/* Applies map to in (n floats) into out (its output length). in and out do
 * not overlap, except for NONE and HELLINGER, which may work in place.
 * RBF accumulates through the kernel table's axpy into out, so out must
 * not alias in. */
void hogfeat__map_apply(const hogfeat__map *map, const float *in, size_t n, float *out);

/* Whether map needs in and out apart (everything but NONE and HELLINGER). */
static inline int hogfeat__map_needs_scratch(const hogfeat__map *map)
{
    return map->kind != HOGFEAT_FEATURE_MAP_NONE && map->kind != HOGFEAT_FEATURE_MAP_HELLINGER;
}

/* Draws the RBF map's weights (n x D, N(0, 2 gamma)) and offsets
 * (U(0, 2 pi)) from seed into new arrays: the offsets first, then the
 * weights row by row, so the matrix for n rows is a prefix of the one for
 * more rows. Each draw takes 64-bit SplitMix64 outputs: a uniform is
 * ((u >> 11) + 0.5) 2^-53, a normal is sqrt(-2 ln u1) cos(2 pi u2). */
hogfeat_status hogfeat__rbf_draw(size_t n, int32_t num_components, double gamma, int32_t seed, float **out_weights,
                                 float **out_offsets);

/* ---- model file sections (docs/model-format.md) ------------------------- */

/* Payload bytes of the DESC and FMAP sections of a pipeline; 0 when the
 * section is not written (no extra descriptor; map NONE). */
size_t hogfeat__desc_payload_bytes(const hogfeat_pipeline *pipeline);
/* 0 also on overflow, which set_rbf_map rules out. */
size_t hogfeat__fmap_payload_bytes(const hogfeat_pipeline *pipeline);
/* Write the payloads (exactly the bytes above) at p; return the end. */
unsigned char *hogfeat__desc_encode(unsigned char *p, const hogfeat_pipeline *pipeline);
unsigned char *hogfeat__fmap_encode(unsigned char *p, const hogfeat_pipeline *pipeline);

/* Validate a payload without allocating. *budget_need receives the bytes
 * that applying it will allocate. */
hogfeat_status hogfeat__desc_check(const unsigned char *payload, size_t length, size_t *budget_need);
hogfeat_status hogfeat__fmap_check(const unsigned char *payload, size_t length, const hogfeat_limits *limits,
                                   size_t *budget_need);
/* Apply a checked payload to a new pipeline (allocates). */
hogfeat_status hogfeat__desc_apply(hogfeat_pipeline *pipeline, const unsigned char *payload, size_t length);
hogfeat_status hogfeat__fmap_apply(hogfeat_pipeline *pipeline, const unsigned char *payload, size_t length);
/* Output length of a checked FMAP payload's RBF map (D), or 0 for the other maps. */
size_t hogfeat__fmap_fixed_output(const unsigned char *payload, size_t length);

#endif /* HOGFEAT_FEATMAP_H */
