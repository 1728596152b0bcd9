/* Integer arithmetic shared by the Quantforge int8 kernels: the TFLite/gemmlowp requantization routines with
 * int64 as the reference semantics. Every wrap is done on unsigned values and every right shift of a negative
 * number is spelled out, so the results do not depend on implementation-defined behaviour. */
#ifndef QF_ARITH_H
#define QF_ARITH_H

#include <stdint.h>
#include "qf_config.h"

/* Two's-complement reinterpretation of a uint32 (C leaves the plain cast implementation-defined). */
static inline int32_t qf_wrap32(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 2147483648u) - INT32_MAX - 1;
}

static inline int32_t qf_add_wrap(int32_t a, int32_t b)
{
    return qf_wrap32((uint32_t)a + (uint32_t)b);
}

/* floor(x / 2^n): an arithmetic right shift without relying on the compiler's choice for negative x. */
static inline int64_t qf_asr64(int64_t x, int n)
{
    return x >= 0 ? x >> n : ~((~x) >> n);
}

static inline int32_t qf_asr32(int32_t x, int n)
{
    return x >= 0 ? x >> n : ~((~x) >> n);
}

/* SaturatingRoundingDoublingHighMul: floor((a*b + 2^30) / 2^31), INT32_MIN*INT32_MIN saturates. */
static inline int32_t qf_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    return (int32_t)qf_asr64((int64_t)a * b + ((int64_t)1 << 30), 31);
}

/* RoundingDivideByPOT: x / 2^e rounded half away from zero, 0 <= e <= 31. */
static inline int32_t qf_rdbpot(int32_t x, int e)
{
    int32_t mask, remainder, threshold;
    if (e == 0) return x;
    mask = (int32_t)((1u << e) - 1u);
    remainder = x & mask;
    threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return qf_asr32(x, e) + (remainder > threshold ? 1 : 0);
}

/* MultiplyByQuantizedMultiplier; shift > 0 is a left shift. The build picks TFLM's double rounding (default)
 * or the single-rounding variant (one 64-bit product, one rounding shift). */
static inline int32_t qf_mbqm(int32_t x, int32_t multiplier, int32_t shift)
{
#if QF_SINGLE_ROUNDING
    int total = 31 - shift;
    int64_t r = qf_asr64((int64_t)x * multiplier + ((int64_t)1 << (total - 1)), total);
    return qf_wrap32((uint32_t)(uint64_t)r);
#else
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return qf_rdbpot(qf_srdhm(qf_wrap32((uint32_t)x << left), multiplier), right);
#endif
}

/* v + offset clamped to [lo, hi], computed wide so a saturated requantization cannot overflow. */
static inline int8_t qf_offset_clamp(int32_t v, int32_t offset, int32_t lo, int32_t hi)
{
    int64_t r = (int64_t)v + offset;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return (int8_t)r;
}

/* int16x8 path: TFLite's int64 MultiplyByQuantizedMultiplier = CMSIS-NN arm_nn_requantize_s64 with
 * REDUCE_MULTIPLIER, identical in the double- and single-rounding builds. */
/* (x * rm + 2^(14 - shift)) >> (15 - shift), rm the multiplier rounded to 16 bits; |x| < 2^47, -31 <= shift < 8. */
static inline int32_t qf_mbqm64(int64_t x, int32_t multiplier, int32_t shift)
{
    const int32_t rm = multiplier < 0x7FFF0000 ? qf_asr32(multiplier + (1 << 15), 16) : 0x7FFF;
    const int total = 15 - shift;
    const int64_t r = qf_asr64(x * rm + ((int64_t)1 << (total - 1)), total);
    return qf_wrap32((uint32_t)(uint64_t)r);
}

static inline int16_t qf_clamp16(int32_t v, int32_t lo, int32_t hi)
{
    return (int16_t)(v < lo ? lo : v > hi ? hi : v);
}

#endif
