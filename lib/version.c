#include "private.h"

int hogfeat_version_number(void)
{
    return HOGFEAT_VERSION_NUMBER;
}

const char *hogfeat_version_string(void)
{
    return HOGFEAT_VERSION_STRING;
}
