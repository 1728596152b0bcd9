/** Deterministic test data: mulberry32 uniform, Box–Muller normal, Laplace by inversion. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normal(n: number, seed: number, sigma = 1): Float32Array {
  const u = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    out[i] = sigma * r * Math.cos(2 * Math.PI * u());
  }
  return out;
}

export function laplace(n: number, seed: number, b = 1): Float32Array {
  const u = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = u() - 0.5;
    out[i] = -b * Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
  }
  return out;
}

/** Splits an array into random contiguous chunks (some empty). */
export function chunks(values: Float32Array, seed: number, count: number): Float32Array[] {
  const u = rng(seed);
  const cuts = Array.from({ length: count - 1 }, () => Math.floor(u() * (values.length + 1))).sort((a, b) => a - b);
  const out: Float32Array[] = [];
  let prev = 0;
  for (const c of [...cuts, values.length]) {
    out.push(values.subarray(prev, c));
    prev = c;
  }
  return out;
}
