/* int16x8 fully connected: filter rows are output features ([C_OUT][K]); int64 accumulation, per-tensor or
 * per-channel int64 requantization. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_fully_connected_s16(const qf_fc_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output)
{
    int32_t b, oc, k;
    for (b = 0; b < p->batches; b++) {
        const int16_t *x = input + b * p->accum_depth;
        for (oc = 0; oc < p->output_depth; oc++) {
            const int8_t *w = filter + oc * p->accum_depth;
            const int32_t q = p->channels_quantized == 1 ? 0 : oc;
            int64_t acc = 0;
            for (k = 0; k < p->accum_depth; k++) acc += (int32_t)w[k] * x[k];
            if (bias) acc += bias[oc];
            *output++ = qf_clamp16(qf_mbqm64(acc, p->multipliers[q], p->shifts[q]), p->act_min, p->act_max);
        }
    }
}
