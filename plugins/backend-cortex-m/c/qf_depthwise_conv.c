/* int8 depthwise convolution with a depth multiplier: output channel oc sees input channel oc / multiplier. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_depthwise_conv_s8(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, c_out = p->filter.c;
    const int32_t mult = c_out / c_in;
    int32_t b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->output.n; b++) {
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < c_out; oc++) {
                    const int32_t ic = oc / mult;
                    uint32_t acc = 0;
                    for (ky = 0; ky < k_h; ky++) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_h) continue;
                        for (kx = 0; kx < k_w; kx++) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            int32_t x;
                            if (ix < 0 || ix >= in_w) continue;
                            x = input[((b * in_h + iy) * in_w + ix) * c_in + ic];
                            acc += (uint32_t)(filter[(ky * k_w + kx) * c_out + oc] * (x + p->input_offset));
                        }
                    }
                    if (bias) acc += (uint32_t)bias[oc];
                    *output++ = qf_offset_clamp(qf_mbqm(qf_wrap32(acc), p->multipliers[oc], p->shifts[oc]),
                                                p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}
