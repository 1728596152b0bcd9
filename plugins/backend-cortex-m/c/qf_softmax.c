/* int8 softmax over rows (output scale 1/256, zero point -128), following TFLite's integer reference step by
 * step: gemmlowp fixed-point exp on Q5.26 differences, a Q12.19 sum, and a Newton-Raphson reciprocal. Fixed-point
 * numbers are carried as their raw int32; '+' and '-' wrap, '*' is SRDHM. */
#include "qf_arith.h"
#include "qf_kernels.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* SaturatingRoundingMultiplyByPOT: a saturating left shift for e > 0, a rounding right shift for e < 0. */
static int32_t srmbpot(int32_t x, int e)
{
    int32_t threshold;
    if (e == 0) return x;
    if (e < 0) return qf_rdbpot(x, -e);
    threshold = (int32_t)((1u << (31 - e)) - 1u);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return qf_wrap32((uint32_t)x << e);
}

/* exp(a) for a in [-1/4, 0), Q0.31: Taylor expansion around -1/8. */
static int32_t exp_on_quarter_interval(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668;
    const int32_t one_third = 715827883;
    const int32_t x = qf_add_wrap(a, 1 << 28);
    const int32_t x2 = qf_srdhm(x, x);
    const int32_t x3 = qf_srdhm(x2, x);
    const int32_t x4 = qf_srdhm(x2, x2);
    const int32_t x4_over_4 = qf_rdbpot(x4, 2);
    const int32_t poly = qf_rdbpot(qf_add_wrap(qf_srdhm(qf_add_wrap(x4_over_4, x3), one_third), x2), 1);
    return qf_add_wrap(exp_minus_one_eighth, qf_srdhm(exp_minus_one_eighth, qf_add_wrap(x, poly)));
}

/* exp(a) for a <= 0 in Q5.26, result Q0.31 (gemmlowp exp_on_negative_values). */
static int32_t exp_on_negative_values(int32_t a)
{
    static const int32_t barrel[7][2] = {
        { -2, 1672461947 }, { -1, 1302514674 }, { 0, 790015084 }, { 1, 290630308 },
        { 2, 39332535 }, { 3, 720401 }, { 4, 242 },
    };
    const int fractional_bits = 31 - SCALED_DIFF_INTEGER_BITS;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t a_mod_quarter_minus_quarter = qf_add_wrap(a & (one_quarter - 1), -one_quarter);
    const int32_t remainder = qf_wrap32((uint32_t)a_mod_quarter_minus_quarter - (uint32_t)a);
    int32_t result = exp_on_quarter_interval(srmbpot(a_mod_quarter_minus_quarter, SCALED_DIFF_INTEGER_BITS));
    int i;
    for (i = 0; i < 7; i++) {
        if (SCALED_DIFF_INTEGER_BITS > barrel[i][0] && (remainder & ((int32_t)1 << (fractional_bits + barrel[i][0]))) != 0) {
            result = qf_srdhm(result, barrel[i][1]);
        }
    }
    if (a == 0) result = INT32_MAX;
    return result;
}

/* 1 / (1 + a) for a in [0, 1), Q0.31 in and out. */
static int32_t one_over_one_plus_x(int32_t a)
{
    const int32_t c48_over_17 = 1515870810, cneg32_over_17 = -1010580540, one_q2 = 1 << 29;
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = qf_add_wrap(c48_over_17, qf_srdhm(half_denominator, cneg32_over_17));
    int i;
    for (i = 0; i < 3; i++) {
        const int32_t one_minus = qf_wrap32((uint32_t)one_q2 - (uint32_t)qf_srdhm(half_denominator, x));
        x = qf_add_wrap(x, srmbpot(qf_srdhm(x, one_minus), 2));
    }
    return srmbpot(x, 1);
}

static int clz32(uint32_t v)
{
    int n = 0;
    if (v == 0) return 32;
    while ((v & 0x80000000u) == 0) {
        v <<= 1;
        n++;
    }
    return n;
}

void qf_softmax_s8(const qf_softmax_params *p, const int8_t *input, int8_t *output)
{
    int32_t r, c;
    for (r = 0; r < p->num_rows; r++) {
        const int8_t *x = input + r * p->row_size;
        int8_t *y = output + r * p->row_size;
        int32_t max_in = -128, sum = 0, bits_over_unit, exponent, shifted_scale;
        uint32_t shifted;
        int headroom_plus_one;
        for (c = 0; c < p->row_size; c++) if (x[c] > max_in) max_in = x[c];
        for (c = 0; c < p->row_size; c++) {
            const int32_t diff = x[c] - max_in;
            if (diff >= p->diff_min) {
                const int32_t e = exp_on_negative_values(qf_mbqm(diff, p->input_multiplier, p->input_left_shift));
                sum = qf_add_wrap(sum, qf_rdbpot(e, ACCUMULATION_INTEGER_BITS));
            }
        }
        /* GetReciprocal: normalize the sum into [1, 2), invert, keep the exponent. */
        headroom_plus_one = clz32((uint32_t)sum);
        bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one;
        shifted = headroom_plus_one == 32 ? 0u : (uint32_t)sum << headroom_plus_one;
        shifted_scale = one_over_one_plus_x(qf_wrap32(shifted + 2147483648u));
        exponent = bits_over_unit + 31 - 8;
        for (c = 0; c < p->row_size; c++) {
            const int32_t diff = x[c] - max_in;
            if (diff >= p->diff_min) {
                const int32_t e = exp_on_negative_values(qf_mbqm(diff, p->input_multiplier, p->input_left_shift));
                /* Exponents above 31 (rows summing to >= 2^8) round the quotient to 0. */
                const int32_t unsat = exponent > 31 ? 0 : qf_rdbpot(qf_srdhm(shifted_scale, e), exponent);
                y[c] = qf_offset_clamp(unsat, -128, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}
