/* int16x8 depthwise convolution: output channel oc reads input channel oc / channel multiplier; filter
 * [1, HK, WK, C_OUT]; int64 accumulation and requantization as qf_conv_s16. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_depthwise_conv_s16(const qf_conv_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w;
    const int32_t c_out = p->output.c;
    const int32_t mult = c_out / c_in;
    int32_t b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->output.n; b++) {
        const int16_t *in_batch = input + b * in_h * in_w * c_in;
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < c_out; oc++) {
                    const int32_t ic = oc / mult;
                    int64_t acc = 0;
                    for (ky = 0; ky < k_h; ky++) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_h) continue;
                        for (kx = 0; kx < k_w; kx++) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            if (ix < 0 || ix >= in_w) continue;
                            acc += (int32_t)filter[(ky * k_w + kx) * c_out + oc] * in_batch[(iy * in_w + ix) * c_in + ic];
                        }
                    }
                    if (bias) acc += bias[oc];
                    *output++ = qf_clamp16(qf_mbqm64(acc, p->multipliers[oc], p->shifts[oc]), p->act_min, p->act_max);
                }
            }
        }
    }
}
