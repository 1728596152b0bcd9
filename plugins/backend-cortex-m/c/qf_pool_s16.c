/* int16 max and average pooling over the in-image taps of each window, then the fused clamp. The average divides
 * the int32 sum by the tap count rounding half away from zero, as TFLite's and CMSIS-NN's int16 kernels do. */
#include "qf_arith.h"
#include "qf_kernels.h"

static void pool_s16(const qf_pool_params *p, const int16_t *input, int16_t *output, int average)
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
                    int32_t acc = average ? 0 : -32768;
                    for (iy = y_start; iy < y_end; iy++) {
                        for (ix = x_start; ix < x_end; ix++) {
                            const int32_t x = input[((b * in_h + iy) * in_w + ix) * ch + c];
                            if (!average) {
                                if (x > acc) acc = x;
                            } else {
                                acc += x;
                            }
                        }
                    }
                    if (average) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    *output++ = qf_clamp16(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void qf_max_pool_s16(const qf_pool_params *p, const int16_t *input, int16_t *output)
{
    pool_s16(p, input, output, 0);
}

void qf_avg_pool_s16(const qf_pool_params *p, const int16_t *input, int16_t *output)
{
    pool_s16(p, input, output, 1);
}
