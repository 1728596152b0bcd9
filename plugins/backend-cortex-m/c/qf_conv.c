/* int8 2-D convolution: acc = bias + sum w * (x + input_offset) over in-image taps (padding adds nothing, i.e.
 * the input zero point), then per-channel requantization, + output_offset, clamp. Groups when filter.c < input.c. */
#include "qf_arith.h"
#include "qf_kernels.h"

#ifdef QF_DSP
/* Largest im2col column (HK * WK * CK int16 values, 512 B of stack) of the DSP path; larger filters take a per-tap dot. */
#define QF_CONV_COL_MAX 256

/* The column of one output pixel and group: x + input_offset per tap, 0 for padding (the scalar path skips those
 * taps, which adds the same nothing), laid out by qf_col_pos. Bounds are checked once per pixel, not per channel. */
static void qf_conv_col(const qf_conv_params *p, const int8_t *in_batch, int32_t y0, int32_t x0, int32_t in_c0, int16_t *col)
{
    const int32_t ck = p->filter.c, n = p->filter.h * p->filter.w * ck;
    int32_t ky, kx, ic, j = 0;
    for (ky = 0; ky < p->filter.h; ky++) {
        const int32_t iy = y0 + ky * p->dilation_h;
        for (kx = 0; kx < p->filter.w; kx++) {
            const int32_t ix = x0 + kx * p->dilation_w;
            if (iy < 0 || iy >= p->input.h || ix < 0 || ix >= p->input.w) {
                for (ic = 0; ic < ck; ic++) col[qf_col_pos(j++, n)] = 0;
            } else {
                const int8_t *x = in_batch + (iy * p->input.w + ix) * p->input.c + in_c0;
                for (ic = 0; ic < ck; ic++) col[qf_col_pos(j++, n)] = (int16_t)(x[ic] + p->input_offset);
            }
        }
    }
}

/* The same sums as the scalar loop below (see qf_arith.h for why SMLAD is exact); input_offset passed qf_dsp_offset_ok. */
static void qf_conv_s8_dsp(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, ck = p->filter.c, n = k_h * k_w * ck;
    const int32_t c_out = p->output.c;
    const int32_t out_per_group = c_out / (c_in / ck);
    int16_t col[QF_CONV_COL_MAX];
    int32_t b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->output.n; b++) {
        const int8_t *in_batch = input + b * in_h * in_w * c_in;
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < c_out; oc++) {
                    const int32_t in_c0 = (oc / out_per_group) * ck;
                    const int8_t *f_oc = filter + oc * n;
                    uint32_t acc = 0;
                    if (n <= QF_CONV_COL_MAX) {
                        if (oc % out_per_group == 0) qf_conv_col(p, in_batch, y0, x0, in_c0, col);
                        acc = qf_dot_col_dsp(col, f_oc, n);
                    } else {
                        for (ky = 0; ky < k_h; ky++) {
                            const int32_t iy = y0 + ky * p->dilation_h;
                            if (iy < 0 || iy >= in_h) continue;
                            for (kx = 0; kx < k_w; kx++) {
                                const int32_t ix = x0 + kx * p->dilation_w;
                                if (ix < 0 || ix >= in_w) continue;
                                acc += qf_dot_s8_dsp(in_batch + (iy * in_w + ix) * c_in + in_c0, f_oc + (ky * k_w + kx) * ck, ck, p->input_offset, 0);
                            }
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
#endif

void qf_conv_s8(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, ck = p->filter.c;
    const int32_t c_out = p->output.c;
    const int32_t out_per_group = c_out / (c_in / ck);
    int32_t b, oy, ox, oc, ky, kx, ic;
#ifdef QF_DSP
    if (qf_dsp_offset_ok(p->input_offset)) {
        qf_conv_s8_dsp(p, input, filter, bias, output);
        return;
    }
#endif
    for (b = 0; b < p->output.n; b++) {
        const int8_t *in_batch = input + b * in_h * in_w * c_in;
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < c_out; oc++) {
                    const int32_t in_c0 = (oc / out_per_group) * ck;
                    const int8_t *f_oc = filter + oc * k_h * k_w * ck;
                    /* Unsigned, so a (theoretical) overflow wraps like TFLM's int32 sum instead of being UB. */
                    uint32_t acc = 0;
                    for (ky = 0; ky < k_h; ky++) {
                        const int32_t iy = y0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_h) continue;
                        for (kx = 0; kx < k_w; kx++) {
                            const int32_t ix = x0 + kx * p->dilation_w;
                            const int8_t *x, *w;
                            if (ix < 0 || ix >= in_w) continue;
                            x = in_batch + (iy * in_w + ix) * c_in + in_c0;
                            w = f_oc + (ky * k_w + kx) * ck;
                            for (ic = 0; ic < ck; ic++) acc += (uint32_t)(w[ic] * (x[ic] + p->input_offset));
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
