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

/* DSP (SIMD) multiply-accumulate for cores with the DSP extension (Cortex-M4/M7/M33/M55; gcc defines
 * __ARM_FEATURE_DSP). Exactness: every term (x + xoff) * (w + woff) is formed exactly from int16 halves, because
 * x + xoff stays in int16 for int8 x when |xoff| <= 32640 (qf_dsp_offset_ok), and a 16x16 product fits in int32.
 * SMLAD adds both products and the accumulator and keeps the low 32 bits (it only sets the sticky Q flag), so the
 * sum is the scalar kernels' uint32 sum mod 2^32, term order being irrelevant. -DQF_NO_DSP keeps the portable loops
 * on these cores too (the baseline of the instruction-count comparison). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(QF_NO_DSP)
#include <arm_acle.h>
#define QF_DSP 1

static inline int qf_dsp_offset_ok(int32_t off)
{
    return off >= -32640 && off <= 32640;
}

static inline int16x2_t qf_dsp_pack(int32_t v)
{
    return (int16x2_t)(((uint32_t)v & 0xFFFFu) * 0x10001u);
}

/* Four int8 (or two int16) as one word; the memcpy compiles to one LDR, which these cores allow unaligned as long as
 * CCR.UNALIGN_TRP is clear (the reset value; CMSIS-NN assumes the same). */
static inline int8x4_t qf_dsp_read4(const void *p)
{
    int8x4_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

/* Bytes 1 and 3 sign-extended to int16 halves (bytes 0 and 2 are __sxtb16(v)). */
static inline int16x2_t qf_dsp_odd(int8x4_t v)
{
    const uint32_t u = (uint32_t)v;
    return __sxtb16((int8x4_t)((u >> 8) | (u << 24)));
}

/* qf_dsp_odd in one instruction: gcc 12 does not fold the rotation into SXTB16, which the instruction encodes. */
static inline int16x2_t qf_dsp_odd_ror(int8x4_t v)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}

/* sum_{i<n} (x[i] + xoff) * (w[i] + woff) mod 2^32; both offsets must pass qf_dsp_offset_ok. */
static inline uint32_t qf_dot_s8_dsp(const int8_t *x, const int8_t *w, int32_t n, int32_t xoff, int32_t woff)
{
    const int16x2_t xo = qf_dsp_pack(xoff), wo = qf_dsp_pack(woff);
    int32_t acc = 0, i = 0;
    uint32_t tail = 0;
    for (; i + 4 <= n; i += 4) {
        const int8x4_t xv = qf_dsp_read4(x + i), wv = qf_dsp_read4(w + i);
        int16x2_t w02 = __sxtb16(wv), w13 = qf_dsp_odd(wv);
        if (woff != 0) {
            w02 = __sadd16(w02, wo);
            w13 = __sadd16(w13, wo);
        }
        acc = __smlad(__sadd16(__sxtb16(xv), xo), w02, acc);
        acc = __smlad(__sadd16(qf_dsp_odd(xv), xo), w13, acc);
    }
    for (; i < n; i++) tail += (uint32_t)((x[i] + xoff) * (w[i] + woff));
    return (uint32_t)acc + tail;
}

/* Where element j of an n-element im2col column goes: whole groups of four are stored x0 x2 x1 x3, so one word of
 * the column pairs with __sxtb16 (bytes 0, 2) of a weight word and the next with qf_dsp_odd (bytes 1, 3). */
static inline int32_t qf_col_pos(int32_t j, int32_t n)
{
    static const int8_t swap[4] = { 0, 2, 1, 3 };
    return j < (n & ~3) ? (j & ~3) + swap[j & 3] : j;
}

/* sum_{i<n} col[i] * w[i] mod 2^32 over a column laid out by qf_col_pos (values already offset, in int16). */
static inline uint32_t qf_dot_col_dsp(const int16_t *col, const int8_t *w, int32_t n)
{
    int32_t acc = 0, i = 0;
    uint32_t tail = 0;
    for (; i + 4 <= n; i += 4) {
        const int8x4_t wv = qf_dsp_read4(w + i);
        acc = __smlad(qf_dsp_read4(col + i), __sxtb16(wv), acc);
        acc = __smlad(qf_dsp_read4(col + i + 2), qf_dsp_odd(wv), acc);
    }
    for (; i < n; i++) tail += (uint32_t)(col[i] * w[i]);
    return (uint32_t)acc + tail;
}
#endif

#endif
