/* Reshape-like ops: the bytes are unchanged; memmove because source and destination may overlap in the arena. */
#include <string.h>
#include "qf_kernels.h"

void qf_copy_s8(const int8_t *input, int8_t *output, int32_t size)
{
    if (input != output) memmove(output, input, (size_t)size);
}
