/* Float <-> int8 conversion of model inputs and outputs, matching the framework's quantizeInput /
 * dequantizeOutput bit for bit. Float data is in the ONNX layout (NCHW for 4-D tensors); the model's int8
 * tensors are in its own layout (NHWC for 4-D). */
#ifndef QF_IO_H
#define QF_IO_H

#include <stdint.h>

#define QF_MAX_RANK 6

typedef struct {
    const char *name;
    int32_t size;                /* elements */
    double scale;                /* as the framework holds it; quantization uses its float32 rounding */
    int32_t zero_point;
    int32_t rank;
    int32_t dims[QF_MAX_RANK];   /* the model's layout; 4-D is [N, H, W, C] */
} qf_tensor_info;

/* q = clamp(round_half_away((float)x / (float)scale) + zero_point), then NCHW -> NHWC for 4-D tensors. */
void qf_quantize(const qf_tensor_info *t, const float *values, int8_t *q);

/* (q - zero_point) * scale, NHWC -> NCHW for 4-D tensors. */
void qf_dequantize(const qf_tensor_info *t, const int8_t *q, float *values);

/* The same for `count` float values starting at ONNX-layout position `first`, so callers can stream a tensor
 * through a small buffer; q is always the whole int8 tensor. */
void qf_quantize_range(const qf_tensor_info *t, int32_t first, int32_t count, const float *values, int8_t *q);
void qf_dequantize_range(const qf_tensor_info *t, int32_t first, int32_t count, const int8_t *q, float *values);

/* The same for the int16 inputs and outputs of an int16x8 model (clamped to [-32768, 32767]). */
void qf_quantize16(const qf_tensor_info *t, const float *values, int16_t *q);
void qf_dequantize16(const qf_tensor_info *t, const int16_t *q, float *values);
void qf_quantize16_range(const qf_tensor_info *t, int32_t first, int32_t count, const float *values, int16_t *q);
void qf_dequantize16_range(const qf_tensor_info *t, int32_t first, int32_t count, const int16_t *q, float *values);

#endif
