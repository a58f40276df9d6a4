#include "private.h"

static const size_t default_limits[HOGFEAT__LIMIT_COUNT] = {
    0,
    HOGFEAT__MAX_PIXELS,   /* HOGFEAT_LIMIT_MAX_PIXELS */
    (size_t)1 << 24,       /* HOGFEAT_LIMIT_MAX_ITEMS */
    65536,                 /* HOGFEAT_LIMIT_MAX_CLASSES */
    (size_t)1 << 24,       /* HOGFEAT_LIMIT_MAX_FEATURES */
    (size_t)1 << 24,       /* HOGFEAT_LIMIT_MAX_SAMPLES */
#if SIZE_MAX > 0xFFFFFFFFu
    (size_t)1 << 33,       /* HOGFEAT_LIMIT_MAX_TOTAL_BYTES */
#else
    SIZE_MAX,              /* HOGFEAT_LIMIT_MAX_TOTAL_BYTES on 32-bit */
#endif
};

static int valid_limit(hogfeat_limit which)
{
    return (int)which >= 1 && (int)which < HOGFEAT__LIMIT_COUNT;
}

size_t hogfeat__limit(const hogfeat_limits *limits, hogfeat_limit which)
{
    if (!valid_limit(which))
        return 0;
    return limits ? limits->values[which] : default_limits[which];
}

hogfeat_status hogfeat_limits_create(hogfeat_limits **out_limits)
{
    if (!out_limits)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_limits_create: out_limits is NULL");
    *out_limits = NULL;
    hogfeat_limits *limits = hogfeat__malloc(sizeof *limits);
    if (!limits)
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "cannot allocate a limits handle");
    for (int i = 0; i < HOGFEAT__LIMIT_COUNT; i++)
        limits->values[i] = default_limits[i];
    *out_limits = limits;
    return HOGFEAT_OK;
}

void hogfeat_limits_destroy(hogfeat_limits *limits)
{
    hogfeat__free(limits);
}

hogfeat_status hogfeat_limits_set(hogfeat_limits *limits, hogfeat_limit which, size_t value)
{
    if (!limits)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "hogfeat_limits_set: limits is NULL");
    if (!valid_limit(which))
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "limit %d is not a hogfeat_limit", (int)which);
    if (value == 0)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "a limit must be at least 1");
    if (which == HOGFEAT_LIMIT_MAX_PIXELS && value > HOGFEAT__MAX_PIXELS)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT,
                             "the pixel limit can not exceed hogfeat_image_max_pixels() = %zu",
                             (size_t)HOGFEAT__MAX_PIXELS);
    limits->values[which] = value;
    return HOGFEAT_OK;
}

size_t hogfeat_limits_get(const hogfeat_limits *limits, hogfeat_limit which)
{
    return hogfeat__limit(limits, which);
}
