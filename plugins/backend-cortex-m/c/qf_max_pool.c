/* int8 max pooling over the in-image taps of each window, then the fused clamp (no requantization). */
#include "qf_kernels.h"

void qf_max_pool_s8(const qf_pool_params *p, const int8_t *input, int8_t *output)
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
                for (c = 0; c < ch; c++) {
                    int32_t acc = -128;
                    for (iy = y_start; iy < y_end; iy++) {
                        for (ix = x_start; ix < x_end; ix++) {
                            const int32_t x = input[((b * in_h + iy) * in_w + ix) * ch + c];
                            if (x > acc) acc = x;
                        }
                    }
                    if (acc < p->act_min) acc = p->act_min;
                    if (acc > p->act_max) acc = p->act_max;
                    *output++ = (int8_t)acc;
                }
            }
        }
    }
}
