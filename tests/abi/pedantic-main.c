/* Links the alone-*.c units and calls one function so linking is proven too. */
#include <hogfeat/hogfeat.h>

int main(void)
{
    return hogfeat_version_number() == HOGFEAT_VERSION_NUMBER ? 0 : 1;
}
