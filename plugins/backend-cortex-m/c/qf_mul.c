/* int8 elementwise multiply: requantize (x + off1) * (y + off2) with one multiplier, offset, clamp. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_mul_s8(const qf_mul_params *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; i++) {
        const int32_t x = input1[p->size1 == p->size ? i : i % p->size1] + p->input1_offset;
        const int32_t y = input2[p->size2 == p->size ? i : i % p->size2] + p->input2_offset;
        output[i] = qf_offset_clamp(qf_mbqm(x * y, p->output_multiplier, p->output_shift), p->output_offset, p->act_min, p->act_max);
    }
}
