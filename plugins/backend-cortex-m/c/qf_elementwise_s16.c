/* int16 elementwise add and multiply (TFLM int16 ADD with general scales, MUL): the int8 formulas with int16
 * operands and zero offsets; add shifts both operands left by 15 before rescaling them to a common scale. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_add_s16(const qf_add_params *p, const int16_t *input1, const int16_t *input2, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; i++) {
        const int32_t x = qf_wrap32((uint32_t)(input1[p->size1 == p->size ? i : i % p->size1] + p->input1_offset) << p->left_shift);
        const int32_t y = qf_wrap32((uint32_t)(input2[p->size2 == p->size ? i : i % p->size2] + p->input2_offset) << p->left_shift);
        const int32_t sum = qf_add_wrap(qf_mbqm(x, p->input1_multiplier, p->input1_shift),
                                        qf_mbqm(y, p->input2_multiplier, p->input2_shift));
        output[i] = qf_clamp16(qf_mbqm(sum, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
    }
}

void qf_mul_s16(const qf_mul_params *p, const int16_t *input1, const int16_t *input2, int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; i++) {
        const int32_t x = input1[p->size1 == p->size ? i : i % p->size1] + p->input1_offset;
        const int32_t y = input2[p->size2 == p->size ? i : i % p->size2] + p->input2_offset;
        output[i] = qf_clamp16(qf_mbqm(x * y, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
    }
}
