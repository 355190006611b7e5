/**
 * The empirical model of large-batch training (McCandlish, Kaplan, Amodei et al. 2018, "An
 * Empirical Model of Large-Batch Training"): with the learning rate tuned for each batch size B,
 * the steps S and samples E = B·S needed to reach a given loss obey
 *     (S/S_min − 1)(E/E_min − 1) = 1,
 * which, with E = B·S, is the same as
 *     S(B) = S_min · (1 + B_crit / B),   E(B) = E_min · (1 + B / B_crit),   B_crit = E_min / S_min.
 * Below B_crit doubling B nearly halves the steps (perfect scaling); above it the steps level off
 * at S_min and extra samples are wasted.
 */

export interface ScalingPoint {
  batchSize: number;
  /** Steps to the target at this B's best learning rate. */
  steps: number;
}

export interface ScalingFit {
  /** Fewest steps any batch size could need (B → ∞). */
  sMin: number;
  /** Critical batch size: where S is twice S_min and E twice E_min. */
  bCrit: number;
  /** Fewest samples any batch size could need (B → 0): S_min · B_crit. */
  eMin: number;
  /** Root mean square of the log residuals of the points used (0.1 ≈ 10 % scatter). */
  rmsLogResidual: number;
  /** Points the fit used (finite, positive). */
  points: number;
  /**
   * 'below' or 'above' when B_crit sits at the edge of what the measured B can tell apart: the
   * data then only say B_crit is below (or above) that value.
   */
  bound: 'below' | 'above' | null;
}

/** Model steps to target at batch size `batchSize`. */
export function modelSteps(fit: Pick<ScalingFit, 'sMin' | 'bCrit'>, batchSize: number): number {
  return fit.sMin * (1 + fit.bCrit / batchSize);
}

/** Model samples to target at batch size `batchSize`. */
export function modelSamples(fit: Pick<ScalingFit, 'sMin' | 'bCrit'>, batchSize: number): number {
  return batchSize * modelSteps(fit, batchSize);
}

/** How far outside the measured B range B_crit may be placed: beyond it the data cannot tell. */
const RANGE_MARGIN = 100;
const GRID_POINTS = 241;
/** Huber's constant for residuals in units of the robust scale (95 % efficiency for normal noise). */
const HUBER_K = 1.345;

/**
 * Fits S_min and B_crit to (B, steps) points by least squares on log(steps), which treats a 10 %
 * error the same at every B (steps range over orders of magnitude). For a fixed B_crit the best
 * log S_min is the (weighted) mean of log S_i − log(1 + B_crit/B_i), so only log B_crit is
 * searched: a grid, then golden-section refinement. A few rounds of Huber reweighting keep one
 * wild point (a lucky or unlucky run) from dragging the curve. Returns null with fewer than two
 * usable points or a single distinct B.
 */
export function fitScaling(points: readonly ScalingPoint[]): ScalingFit | null {
  const usable = points.filter(
    (p) => Number.isFinite(p.batchSize) && p.batchSize > 0 && Number.isFinite(p.steps) && p.steps > 0,
  );
  const distinct = new Set(usable.map((p) => p.batchSize));
  if (usable.length < 2 || distinct.size < 2) return null;
  const logB = usable.map((p) => Math.log(p.batchSize));
  const logS = usable.map((p) => Math.log(p.steps));
  const lo = Math.min(...logB) - Math.log(RANGE_MARGIN);
  const hi = Math.max(...logB) + Math.log(RANGE_MARGIN);
  let weights = usable.map(() => 1);

  // For u = log B_crit: the weighted least-squares log S_min and the residuals.
  const solve = (u: number, w: readonly number[]) => {
    const bCrit = Math.exp(u);
    const shape = logB.map((lb) => Math.log1p(bCrit / Math.exp(lb)));
    let sw = 0;
    let swr = 0;
    for (let i = 0; i < shape.length; i++) {
      sw += w[i] as number;
      swr += (w[i] as number) * ((logS[i] as number) - (shape[i] as number));
    }
    const logSMin = swr / sw;
    const residuals = shape.map((s, i) => (logS[i] as number) - logSMin - s);
    let cost = 0;
    for (let i = 0; i < residuals.length; i++) cost += (w[i] as number) * (residuals[i] as number) ** 2;
    return { logSMin, residuals, cost };
  };

  const minimise = (w: readonly number[]): number => {
    let bestU = lo;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let g = 0; g < GRID_POINTS; g++) {
      const u = lo + ((hi - lo) * g) / (GRID_POINTS - 1);
      const cost = solve(u, w).cost;
      if (cost < bestCost) {
        bestCost = cost;
        bestU = u;
      }
    }
    // Golden-section search in the grid cells either side of the best grid point.
    const cell = (hi - lo) / (GRID_POINTS - 1);
    let a = Math.max(lo, bestU - cell);
    let b = Math.min(hi, bestU + cell);
    const phi = (Math.sqrt(5) - 1) / 2;
    let c = b - phi * (b - a);
    let d = a + phi * (b - a);
    let fc = solve(c, w).cost;
    let fd = solve(d, w).cost;
    for (let iteration = 0; iteration < 60; iteration++) {
      if (fc < fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - phi * (b - a);
        fc = solve(c, w).cost;
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + phi * (b - a);
        fd = solve(d, w).cost;
      }
    }
    const u = (a + b) / 2;
    return solve(u, w).cost <= bestCost ? u : bestU;
  };

  let u = minimise(weights);
  for (let round = 0; round < 5 && usable.length > 3; round++) {
    const { residuals } = solve(u, weights);
    const scale = robustScale(residuals);
    if (!(scale > 0)) break;
    weights = residuals.map((r) => {
      const z = Math.abs(r) / scale;
      return z <= HUBER_K ? 1 : HUBER_K / z;
    });
    u = minimise(weights);
  }
  const { logSMin, residuals } = solve(u, weights);
  const sMin = Math.exp(logSMin);
  const bCrit = Math.exp(u);
  const rms = Math.sqrt(residuals.reduce((sum, r) => sum + r * r, 0) / residuals.length);
  const edge = (hi - lo) * 0.01;
  return {
    sMin,
    bCrit,
    eMin: sMin * bCrit,
    rmsLogResidual: rms,
    points: usable.length,
    bound: u <= lo + edge ? 'below' : u >= hi - edge ? 'above' : null,
  };
}

/** Median absolute deviation scaled to a normal's standard deviation. */
function robustScale(values: readonly number[]): number {
  const sorted = values.map(Math.abs).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return median / 0.6745;
}
