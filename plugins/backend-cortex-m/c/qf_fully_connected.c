/* int8 fully connected: filter rows are output features ([C_OUT][K]); per-tensor or per-channel requantization. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_fully_connected_s8(const qf_fc_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    int32_t b, oc, k;
    for (b = 0; b < p->batches; b++) {
        const int8_t *x = input + b * p->accum_depth;
        for (oc = 0; oc < p->output_depth; oc++) {
            const int8_t *w = filter + oc * p->accum_depth;
            const int32_t q = p->channels_quantized == 1 ? 0 : oc;
            uint32_t acc = 0;
#ifdef QF_DSP
            /* SMLAD on int16 pairs gives the same mod-2^32 sum (see qf_arith.h). */
            if (qf_dsp_offset_ok(p->input_offset) && qf_dsp_offset_ok(p->filter_offset)) {
                acc = qf_dot_s8_dsp(x, w, p->accum_depth, p->input_offset, p->filter_offset);
            } else
#endif
            for (k = 0; k < p->accum_depth; k++) acc += (uint32_t)((x[k] + p->input_offset) * (w[k] + p->filter_offset));
            if (bias) acc += (uint32_t)bias[oc];
            *output++ = qf_offset_clamp(qf_mbqm(qf_wrap32(acc), p->multipliers[q], p->shifts[q]),
                                        p->output_offset, p->act_min, p->act_max);
        }
    }
}
