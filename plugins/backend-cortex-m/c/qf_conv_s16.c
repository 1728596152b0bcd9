/* int16x8 2-D convolution: acc = bias + sum w * x in int64 over in-image taps (padding adds nothing), then the
 * int64 requantization per output channel and the clamp. Groups when filter.c < input.c. */
#include "qf_arith.h"
#include "qf_kernels.h"

void qf_conv_s16(const qf_conv_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, ck = p->filter.c;
    const int32_t c_out = p->output.c;
    const int32_t out_per_group = c_out / (c_in / ck);
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->output.n; b++) {
        const int16_t *in_batch = input + b * in_h * in_w * c_in;
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < c_out; oc++) {
                    const int32_t in_c0 = (oc / out_per_group) * ck;
                    const int8_t *f_oc = filter + oc * k_h * k_w * ck;
                    int64_t acc = 0;
                    for (ky = 0; ky < k_h; ky++) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_h) continue;
                        for (kx = 0; kx < k_w; kx++) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            const int16_t *x;
                            const int8_t *w;
                            if (ix < 0 || ix >= in_w) continue;
                            x = in_batch + (iy * in_w + ix) * c_in + in_c0;
                            w = f_oc + (ky * k_w + kx) * ck;
                            for (ic = 0; ic < ck; ic++) acc += (int32_t)w[ic] * x[ic];
                        }
                    }
                    if (bias) acc += bias[oc];
                    *output++ = qf_clamp16(qf_mbqm64(acc, p->multipliers[oc], p->shifts[oc]), p->act_min, p->act_max);
                }
            }
        }
    }
}
