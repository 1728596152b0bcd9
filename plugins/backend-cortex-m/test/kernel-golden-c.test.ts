// Cross-implementation vectors: produced once by an independent C99 port of the gemmlowp/TFLite routines
// (native int32/int64 arithmetic, two's-complement wrap via uint32 casts, C truncating division), so a
// JavaScript-specific slip (lost 64-bit precision, missing wrap, wrong shift) in the TypeScript port shows up here.
// Format: SOFTMAX rows "beta scale single M leftShift diffMin | inputs | outputs"; FIXED rows
// "a exp(-|a|,Q5.26) exp(-|a|,Q3.28) logistic(a,Q4.27) tanh(a,Q4.27) 1/(1+|a|)"; LOGTANH rows
// "scale zp M leftShift radius | x:logistic:tanh ...".
import { describe, expect, it } from 'vitest';
import { expOnNegativeValues, logisticFixedPoint, logisticTanhParams, oneOverOnePlusX, softmaxParams, tanhFixedPoint } from '../src/arith/index.js';
import { logisticS8, softmaxS8, tanhS8 } from '../src/kernels/index.js';

const C_OUTPUT = `
SOFTMAX
1 0.0625 0 1073741824 23 -248 | -89 -100 22 -100 -30 79 45 -9 -77 68 47 | -128 -128 -124 -128 -128 15 -111 -127 -128 -56 -109
1 0.0625 1 1073741824 23 -248 | -74 -23 25 -101 70 104 -89 60 -128 -82 84 -30 64 | -128 -128 -127 -128 -108 36 -128 -118 -128 -128 -81 -128 -115
1 0.100000001 0 1717986944 23 -248 | 94 24 34 -2 -65 43 -127 -96 51 39 122 57 56 | -113 -128 -128 -128 -128 -128 -128 -128 -128 -128 112 -128 -128
1 0.100000001 1 1717986944 23 -248 | -23 117 8 -54 106 | -128 64 -128 -128 -64
1 0.0199999996 0 1374389504 21 -992 | -96 72 88 68 -68 95 -48 -16 -41 -37 -82 111 46 71 | -127 -100 -90 -102 -126 -84 -125 -123 -125 -125 -127 -68 -112 -101
1 0.0199999996 1 1374389504 21 -992 | 44 -67 -15 -53 84 64 -29 -126 -45 51 -22 -113 85 -47 -111 | -101 -125 -120 -124 -69 -88 -122 -127 -124 -97 -121 -127 -68 -124 -127
0.5 0.25 0 1073741824 24 -124 | 69 23 37 -38 -47 -63 -78 | 123 -127 -123 -128 -128 -128 -128
0.5 0.25 1 1073741824 24 -124 | -29 74 4 | -128 127 -128
2 0.0700000003 0 1202590848 24 -124 | 39 -17 -89 106 11 -84 -26 -123 -71 61 -50 -6 30 | -128 -128 -128 127 -128 -128 -128 -128 -128 -128 -128 -128 -128
2 0.0700000003 1 1202590848 24 -124 | 43 -91 -27 -118 -119 34 124 126 51 -52 13 -74 54 -64 -123 | -128 -128 -128 -128 -128 -128 -18 18 -128 -128 -128 -128 -128 -128 -128
1 0.00390625 0 1073741824 19 -3968 | 94 -38 -112 -96 54 -74 -103 -117 11 -81 -51 42 | -93 -107 -113 -112 -98 -110 -112 -113 -103 -111 -108 -100
1 0.00390625 1 1073741824 19 -3968 | -30 24 -8 -100 43 38 51 -80 37 98 -43 112 46 | -112 -108 -110 -116 -107 -107 -106 -115 -107 -101 -113 -100 -106
FIXED
2119633669 0 799156 2147483348 2147483647 1080749764
1837172123 0 2288857 2147481204 2147483647 1157361206
709394693 55092 152833772 2136661472 2147373460 1614239556
1160933325 66 28424129 2147107490 2147483520 1393925268
1461027129 1 9293376 2147443426 2147483647 1278002558
1822917715 0 2413684 2147480932 2147483647 1161516330
1768855647 0 2952202 2147479586 2147483647 1177550176
1891807724 0 1867348 2147482020 2147483647 1141706702
916449469 2518 70669334 2145160584 2147478608 1505152310
121511001 351214455 1365653451 1529100858 1543787428 2032479896
1018586633 550 48304326 2146397668 2147482540 1456596226
2104679131 0 844941 2147483316 2147483647 1084550674
LOGTANH
0.0500000007 0 1717986944 23 240 | -128:-128:-128 -119:-127:-128 -110:-127:-128 -101:-126:-128 -92:-125:-128 -83:-124:-128 -74:-122:-128 -65:-118:-128 -56:-113:-127 -47:-106:-126 -38:-95:-122 -29:-79:-115 -20:-59:-97 -11:-34:-64 -2:-6:-13 7:22:43 16:49:85 25:71:109 34:88:120 43:101:125 52:110:127 61:116:127 70:120:127 79:123:127 88:125:127 97:126:127 106:127:127 115:127:127 124:127:127
0.123400003 -17 2119995904 24 120 | -128:-128:-128 -119:-128:-128 -110:-128:-128 -101:-128:-128 -92:-128:-128 -83:-128:-128 -74:-128:-128 -65:-127:-128 -56:-126:-128 -47:-122:-128 -38:-110:-127 -29:-81:-115 -20:-23:-45 -11:45:81 -2:93:122 7:115:127 16:124:127 25:127:127 34:127:127 43:127:127 52:127:127 61:127:127 70:127:127 79:127:127 88:127:127 97:127:127 106:127:127 115:127:127 124:127:127
0.0149999997 33 2061584256 21 960 | -128:-107:-126 -119:-104:-125 -110:-101:-125 -101:-98:-123 -92:-94:-122 -83:-90:-120 -74:-85:-118 -65:-80:-115 -56:-75:-111 -47:-69:-107 -38:-62:-101 -29:-56:-94 -20:-48:-85 -11:-41:-74 -2:-33:-62 7:-25:-48 16:-16:-32 25:-8:-15 34:1:2 43:10:19 52:18:36 61:26:51 70:35:65 79:42:77 88:50:87 97:57:95 106:64:102 115:70:108 124:76:112
`;

function section(name: string): string[] {
  const lines = C_OUTPUT.trim().split('\n');
  const start = lines.indexOf(name) + 1;
  const end = lines.findIndex((l, i) => i >= start && /^[A-Z]+$/.test(l));
  return lines.slice(start, end === -1 ? undefined : end);
}
const ints = (s: string): number[] => s.trim().split(/\s+/).map(Number);

describe('softmax vs the C port', () => {
  const rows = section('SOFTMAX');
  it('has the 12 rows', () => expect(rows.length).toBe(12));
  it.each(rows.map((r, i) => [i, r] as const))('row %i', (_i, row) => {
    const [head, inputs, outputs] = row.split('|') as [string, string, string];
    const [beta, scale, single, m, ls, dmin] = ints(head) as [number, number, number, number, number, number];
    const rounding = single === 1 ? 'single' : 'double';
    const params = softmaxParams(beta, scale, rounding);
    expect(params).toEqual({ inputMultiplier: m, inputLeftShift: ls, diffMin: dmin });
    const input = Int8Array.from(ints(inputs));
    expect(Array.from(softmaxS8({ input, numRows: 1, rowSize: input.length, params, rounding }))).toEqual(ints(outputs));
  });
});

describe('fixed-point transcendentals vs the C port', () => {
  const rows = section('FIXED');
  it.each(rows.map((r) => ints(r)))('a = %i', (a, e5, e3, lg, th, inv) => {
    const neg = a! > 0 ? -a! : a!;
    expect(expOnNegativeValues(neg, 5)).toBe(e5);
    expect(expOnNegativeValues(neg, 3)).toBe(e3);
    expect(logisticFixedPoint(a!, 4)).toBe(lg);
    expect(tanhFixedPoint(a!, 4)).toBe(th);
    expect(oneOverOnePlusX(a!)).toBe(inv);
  });
});

describe('int8 logistic / tanh vs the C port', () => {
  const rows = section('LOGTANH');
  it.each(rows.map((r, i) => [i, r] as const))('row %i', (_i, row) => {
    const [head, pairs] = row.split('|') as [string, string];
    const [scale, zp, m, ls, radius] = ints(head) as [number, number, number, number, number];
    const params = logisticTanhParams(scale, zp);
    expect(params).toEqual({ inputZeroPoint: zp, inputMultiplier: m, inputLeftShift: ls, inputRangeRadius: radius });
    const triples = pairs.trim().split(/\s+/).map((p) => p.split(':').map(Number) as [number, number, number]);
    const input = Int8Array.from(triples.map((t) => t[0]));
    expect(Array.from(logisticS8(input, params))).toEqual(triples.map((t) => t[1]));
    expect(Array.from(tanhS8(input, params))).toEqual(triples.map((t) => t[2]));
  });
});
