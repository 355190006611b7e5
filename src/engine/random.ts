/**
 * Seeded randomness. Every random choice in batchlab (data, initial weights, epoch shuffles)
 * comes from here, so one seed reproduces a run exactly. Only 32-bit integer operations are
 * used, so the WGSL side can reproduce `epochPermutation` bit for bit if it needs to.
 */

/** Mixes a 32-bit value (the finaliser of MurmurHash3): nearby seeds give unrelated streams. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Combines two 32-bit values into one seed. */
export function combineSeeds(a: number, b: number): number {
  return mix32((mix32(a) ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x85ebca6b)) >>> 0);
}

/** Mulberry32: a small, fast 32-bit generator with a full 2^32 period. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed) >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n): modulo reduction; its bias is below n / 2^32, negligible for n ≤ 10^6. */
  int(n: number): number {
    return this.nextU32() % n;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log stays finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Fisher–Yates shuffle of 0..n−1 with `rng`. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/**
 * The order in which epoch `epoch` visits the samples: a pure function of (seed, epoch), so
 * runs with different batch sizes but one seed see the same sequence of samples, and any
 * engine can compute any epoch's order without replaying earlier ones.
 */
export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  return permutation(n, new Rng(combineSeeds(seed, epoch)));
}
