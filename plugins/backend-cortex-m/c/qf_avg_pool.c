/* int8 average pooling: the sum over in-image taps divided by their count, rounded half away from zero (C
 * division truncates), then the fused clamp. The emitter rejects windows that cover no pixel. */
#include "qf_kernels.h"

void qf_avg_pool_s8(const qf_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, ch = p->input.c;
    int32_t b, oy, ox, c, iy, ix;
    for (b = 0; b < p->output.n; b++) {
        for (oy = 0; oy < p->output.h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t y_start = y0 < 0 ? 0 : y0;
            const int32_t y_end = y0 + p->filter_h < in_h ? y0 + p->filter_h : in_h;
            for (ox = 0; ox < p->output.w; ox++) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t x_start = x0 < 0 ? 0 : x0;
                const int32_t x_end = x0 + p->filter_w < in_w ? x0 + p->filter_w : in_w;
                const int32_t count = (y_end - y_start) * (x_end - x_start);
                for (c = 0; c < ch; c++) {
                    int32_t acc = 0, v;
                    for (iy = y_start; iy < y_end; iy++) {
                        for (ix = x_start; ix < x_end; ix++) acc += input[((b * in_h + iy) * in_w + ix) * ch + c];
                    }
                    v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    if (v < p->act_min) v = p->act_min;
                    if (v > p->act_max) v = p->act_max;
                    *output++ = (int8_t)v;
                }
            }
        }
    }
}
