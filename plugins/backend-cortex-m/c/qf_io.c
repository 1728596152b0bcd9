#include "qf_io.h"

/* Index in the model's layout of ONNX-layout position j: NCHW -> NHWC for 4-D tensors, else the identity. */
static int32_t model_index(const qf_tensor_info *t, int32_t j)
{
    int32_t h, w, c, x, y, ch, n;
    if (t->rank != 4) return j;
    h = t->dims[1];
    w = t->dims[2];
    c = t->dims[3];
    x = j % w;
    y = (j / w) % h;
    ch = (j / (w * h)) % c;
    n = j / (w * h * c);
    return ((n * h + y) * w + x) * c + ch;
}

/* round_half_away((float)x / (float)scale) + zero_point, unclamped; NaN gives 0. */
static int32_t quantize_code(float x, float scale, int32_t zero_point)
{
    /* The float32 quotient, computed exactly as the framework does (a double division rounded to float). */
    float v = (float)((double)x / (double)scale);
    int32_t t;
    if (v != v) return 0;
    if (v > 1e6f) v = 1e6f;
    if (v < -1e6f) v = -1e6f;
    /* Round half away from zero without adding 0.5 (which misrounds values just below one half). */
    t = (int32_t)v;
    if (v - (float)t >= 0.5f) t += 1;
    else if ((float)t - v >= 0.5f) t -= 1;
    return t + zero_point;
}

static int8_t quantize_one(float x, float scale, int32_t zero_point)
{
    const int32_t q = quantize_code(x, scale, zero_point);
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static int16_t quantize_one16(float x, float scale, int32_t zero_point)
{
    const int32_t q = quantize_code(x, scale, zero_point);
    return (int16_t)(q < -32768 ? -32768 : q > 32767 ? 32767 : q);
}

void qf_quantize_range(const qf_tensor_info *t, int32_t first, int32_t count, const float *values, int8_t *q)
{
    const float scale = (float)t->scale;
    int32_t i;
    for (i = 0; i < count; i++) q[model_index(t, first + i)] = quantize_one(values[i], scale, t->zero_point);
}

void qf_dequantize_range(const qf_tensor_info *t, int32_t first, int32_t count, const int8_t *q, float *values)
{
    int32_t i;
    for (i = 0; i < count; i++) values[i] = (float)((double)(q[model_index(t, first + i)] - t->zero_point) * t->scale);
}

void qf_quantize(const qf_tensor_info *t, const float *values, int8_t *q)
{
    qf_quantize_range(t, 0, t->size, values, q);
}

void qf_dequantize(const qf_tensor_info *t, const int8_t *q, float *values)
{
    qf_dequantize_range(t, 0, t->size, q, values);
}

void qf_quantize16_range(const qf_tensor_info *t, int32_t first, int32_t count, const float *values, int16_t *q)
{
    const float scale = (float)t->scale;
    int32_t i;
    for (i = 0; i < count; i++) q[model_index(t, first + i)] = quantize_one16(values[i], scale, t->zero_point);
}

void qf_dequantize16_range(const qf_tensor_info *t, int32_t first, int32_t count, const int16_t *q, float *values)
{
    int32_t i;
    for (i = 0; i < count; i++) values[i] = (float)((double)(q[model_index(t, first + i)] - t->zero_point) * t->scale);
}

void qf_quantize16(const qf_tensor_info *t, const float *values, int16_t *q)
{
    qf_quantize16_range(t, 0, t->size, values, q);
}

void qf_dequantize16(const qf_tensor_info *t, const int16_t *q, float *values)
{
    qf_dequantize16_range(t, 0, t->size, q, values);
}
