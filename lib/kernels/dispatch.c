#include "kernels.h"

const hogfeat__kernels *hogfeat__kernels_get(void)
{
    return &hogfeat__kernels_scalar;
}
