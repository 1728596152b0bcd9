/* int8 depthwise convolution with a depth multiplier: output channel oc sees input channel oc / multiplier. */
#include "qf_arith.h"
#include "qf_kernels.h"

/* -DQF_NO_DSP_DEPTHWISE keeps only this kernel on the portable loop (the baseline of its instruction-count test). */
#if defined(QF_DSP) && !defined(QF_NO_DSP_DEPTHWISE)
/* The first tap index k in [0, k_n) with 0 <= o0 + k * d < in_n, and one past the last: the same taps the scalar
 * loop keeps, found once per output pixel instead of tested once per tap and channel. */
static void qf_dw_taps(int32_t o0, int32_t d, int32_t k_n, int32_t in_n, int32_t *lo, int32_t *hi)
{
    const int32_t room = in_n - o0;
    *lo = o0 >= 0 ? 0 : (-o0 + d - 1) / d;
    *hi = room <= 0 ? 0 : (room + d - 1) / d;
    if (*hi > k_n) *hi = k_n;
}

/* Multiplier 1, four channels per step: one word of input and one of filter per tap, widened by __sxtb16 into the
 * even (0, 2) and odd (1, 3) channels, the input offset added in the int16 halves, and each channel's term added to
 * its own accumulator by SMLABB / SMLATT. Exactness: x + input_offset is in int16 for int8 x (qf_dsp_offset_ok), the
 * 16x16 product is exact in int32, and SMLAxy keeps the low 32 bits of product + accumulator (overflow only sets the
 * sticky Q flag), so each accumulator is the scalar loop's uint32 sum of the same terms mod 2^32. The 1 to 3 channels
 * left over take the scalar term over the same taps. */
static void qf_depthwise_conv_s8_dsp(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, dh = p->dilation_h, dw = p->dilation_w;
    const int32_t xoff = p->input_offset, c4 = c & ~3;
    const int16x2_t xo = qf_dsp_pack(xoff);
    int32_t b, oy, ox, oc, ky, kx, ky0, ky1, kx0, kx1;
    for (b = 0; b < p->output.n; b++) {
        const int8_t *in_batch = input + b * in_h * in_w * c;
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            qf_dw_taps(y0, dh, k_h, in_h, &ky0, &ky1);
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                qf_dw_taps(x0, dw, k_w, in_w, &kx0, &kx1);
                for (oc = 0; oc < c4; oc += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (ky = ky0; ky < ky1; ky++) {
                        const int8_t *xr = in_batch + ((y0 + ky * dh) * in_w + x0) * c + oc;
                        const int8_t *wr = filter + ky * k_w * c + oc;
                        for (kx = kx0; kx < kx1; kx++) {
                            const int8x4_t xv = qf_dsp_read4(xr + kx * dw * c), wv = qf_dsp_read4(wr + kx * c);
                            const int16x2_t x02 = __sadd16(__sxtb16(xv), xo), x13 = __sadd16(qf_dsp_odd_ror(xv), xo);
                            const int16x2_t w02 = __sxtb16(wv), w13 = qf_dsp_odd_ror(wv);
                            a0 = __smlabb(x02, w02, a0);
                            a2 = __smlatt(x02, w02, a2);
                            a1 = __smlabb(x13, w13, a1);
                            a3 = __smlatt(x13, w13, a3);
                        }
                    }
                    {
                        const int32_t acc[4] = { a0, a1, a2, a3 };
                        int32_t i;
                        for (i = 0; i < 4; i++) {
                            uint32_t s = (uint32_t)acc[i];
                            if (bias) s += (uint32_t)bias[oc + i];
                            *output++ = qf_offset_clamp(qf_mbqm(qf_wrap32(s), p->multipliers[oc + i], p->shifts[oc + i]),
                                                        p->output_offset, p->act_min, p->act_max);
                        }
                    }
                }
                for (; oc < c; oc++) {
                    uint32_t acc = 0;
                    for (ky = ky0; ky < ky1; ky++) {
                        const int8_t *xr = in_batch + ((y0 + ky * dh) * in_w + x0) * c + oc;
                        const int8_t *wr = filter + ky * k_w * c + oc;
                        for (kx = kx0; kx < kx1; kx++) acc += (uint32_t)(wr[kx * c] * (xr[kx * dw * c] + xoff));
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

void qf_depthwise_conv_s8(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, c_in = p->input.c;
    const int32_t k_h = p->filter.h, k_w = p->filter.w, c_out = p->filter.c;
    const int32_t mult = c_out / c_in;
    int32_t b, oy, ox, oc, ky, kx;
#if defined(QF_DSP) && !defined(QF_NO_DSP_DEPTHWISE)
    if (mult == 1 && qf_dsp_offset_ok(p->input_offset)) {
        qf_depthwise_conv_s8_dsp(p, input, filter, bias, output);
        return;
    }
#endif
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
