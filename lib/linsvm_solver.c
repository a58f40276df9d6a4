/* being written */
#include "private.h"
typedef int hogfeat_placeholder_linsvm_solver;
