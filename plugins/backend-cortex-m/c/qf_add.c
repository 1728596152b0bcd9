/* int8 elementwise add with TFLite's double scaling: both operands are shifted left, rescaled to a common scale,
 * summed (wrapping), rescaled to the output, offset and clamped. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_add_s8(const qf_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; i++) {
        const int32_t x = qf_wrap32((uint32_t)(input1[p->size1 == p->size ? i : i % p->size1] + p->input1_offset) << p->left_shift);
        const int32_t y = qf_wrap32((uint32_t)(input2[p->size2 == p->size ? i : i % p->size2] + p->input2_offset) << p->left_shift);
        const int32_t sum = qf_add_wrap(qf_mbqm(x, p->input1_multiplier, p->input1_shift),
                                        qf_mbqm(y, p->input2_multiplier, p->input2_shift));
        output[i] = qf_offset_clamp(qf_mbqm(sum, p->output_multiplier, p->output_shift), p->output_offset, p->act_min, p->act_max);
    }
}
