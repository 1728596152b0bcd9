/* int8 elementwise table lookup (TFLite LookupTable for int8): the 256-entry table was built when the model was
 * lowered (the op's float function through its input and output encodings) and is indexed by the input byte. */
#include "qf_kernels.h"

void qf_lut_s8(const qf_lut_params *p, const int8_t *input, const int8_t *lut, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; i++) output[i] = lut[(uint8_t)input[i]];
}
