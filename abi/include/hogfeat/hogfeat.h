/**
 * @file hogfeat.h
 * @brief Umbrella header: includes every stable public header of libhogfeat.
 */
#ifndef HOGFEAT_HOGFEAT_H
#define HOGFEAT_HOGFEAT_H

#include <hogfeat/export.h>
#include <hogfeat/version.h>
#include <hogfeat/status.h>
#include <hogfeat/image.h>
#include <hogfeat/hog.h>
#include <hogfeat/limits.h>
#include <hogfeat/linsvm.h>
#include <hogfeat/knn.h>
#include <hogfeat/dataset.h>
#include <hogfeat/pipeline.h>

#endif /* HOGFEAT_HOGFEAT_H */
