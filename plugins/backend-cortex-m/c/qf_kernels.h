/* Quantforge portable int8 kernels (NHWC activations, TFLM offset conventions: input offset = -zero point,
 * output offset = +zero point). Each kernel lives in its own file; a project holds only the ones its model uses. */
#ifndef QF_KERNELS_H
#define QF_KERNELS_H

#include <stdint.h>

typedef struct { int32_t n, h, w, c; } qf_dims;

/* Conv (generic, 1x1, grouped when filter.c < input.c) and depthwise conv. */
typedef struct {
    qf_dims input, filter, output;   /* filter: conv [C_OUT, HK, WK, CK]; depthwise [1, HK, WK, C_OUT] */
    int32_t input_offset, output_offset;
    int32_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    int32_t act_min, act_max;
    const int32_t *multipliers, *shifts; /* per output channel */
} qf_conv_params;

typedef struct {
    int32_t batches, accum_depth, output_depth;
    int32_t input_offset, filter_offset, output_offset;
    int32_t act_min, act_max;
    int32_t channels_quantized;          /* 1: per-tensor (index 0), else output_depth */
    const int32_t *multipliers, *shifts;
} qf_fc_params;

typedef struct {
    qf_dims input, output;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    int32_t act_min, act_max;
} qf_pool_params;

/* An operand smaller than the output repeats along the NHWC leading axes (a scalar, a per-channel vector):
 * element i reads element i % size_k. */
typedef struct {
    int32_t size, size1, size2;
    int32_t left_shift;
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t act_min, act_max;
} qf_add_params;

typedef struct {
    int32_t size, size1, size2;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} qf_mul_params;

typedef struct {
    int32_t num_rows, row_size;
    int32_t input_multiplier, input_left_shift, diff_min;
} qf_softmax_params;

void qf_conv_s8(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);
void qf_depthwise_conv_s8(const qf_conv_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);
void qf_fully_connected_s8(const qf_fc_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias, int8_t *output);
void qf_max_pool_s8(const qf_pool_params *p, const int8_t *input, int8_t *output);
void qf_avg_pool_s8(const qf_pool_params *p, const int8_t *input, int8_t *output);
void qf_add_s8(const qf_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output);
void qf_mul_s8(const qf_mul_params *p, const int8_t *input1, const int8_t *input2, int8_t *output);
void qf_softmax_s8(const qf_softmax_params *p, const int8_t *input, int8_t *output);
typedef struct {
    int32_t size;
} qf_lut_params;

void qf_lut_s8(const qf_lut_params *p, const int8_t *input, const int8_t *lut, int8_t *output);
void qf_copy_s8(const int8_t *input, int8_t *output, int32_t size);

/* int16x8 kernels (TFLite 16x8 mode): int16 symmetric activations (offsets 0), int8 weights, int64 bias and
 * accumulator, int64 requantization; the parameter structs are the int8 kernels'. */
void qf_conv_s16(const qf_conv_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output);
void qf_depthwise_conv_s16(const qf_conv_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output);
void qf_fully_connected_s16(const qf_fc_params *p, const int16_t *input, const int8_t *filter, const int64_t *bias, int16_t *output);
void qf_max_pool_s16(const qf_pool_params *p, const int16_t *input, int16_t *output);
void qf_avg_pool_s16(const qf_pool_params *p, const int16_t *input, int16_t *output);
void qf_add_s16(const qf_add_params *p, const int16_t *input1, const int16_t *input2, int16_t *output);
void qf_mul_s16(const qf_mul_params *p, const int16_t *input1, const int16_t *input2, int16_t *output);

#endif
