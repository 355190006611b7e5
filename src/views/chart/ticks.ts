/**
 * Tick choice and tick labels for the plots: pure functions of a domain, so every axis of
 * batchlab labels numbers the same way and the choice is tested without a browser.
 */
import { format } from 'd3';

const plain = format('~g');
const si = format('~s');

/**
 * A readable label for a tick: plain digits from 0.01 to 9,999 (at most 3 significant), SI
 * prefixes for counts from 10k up (12k, 1.5M), powers of ten written 1e-4 below 0.01.
 */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4) return si(Number(value.toPrecision(3))).replace('G', 'B');
  if (magnitude < 0.01) return format('.1~e')(value).replace('e-', 'e−');
  return plain(Number(value.toPrecision(3)));
}

function mantissa(t: number): number {
  return Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
}

/**
 * Ticks of a log axis over [lo, hi] (both > 0), at most about `maxTicks` of them: every power of
 * ten when the domain spans several decades (every second, third… when that is too many), the
 * 1-2-5 steps when it spans one to three decades, and an even subset of finer steps within a
 * decade.
 */
export function logTicks(lo: number, hi: number, maxTicks: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const limit = Math.max(2, Math.floor(maxTicks));
  const decades = Math.log10(hi / lo);
  const inRange = (t: number) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9);
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const byMantissas = (mantissas: readonly number[]) => {
    const ticks: number[] = [];
    for (let e = first; e <= last; e++)
      for (const m of mantissas) {
        const t = Number((m * 10 ** e).toPrecision(12));
        if (inRange(t)) ticks.push(t);
      }
    return ticks;
  };
  const choices: (readonly number[])[] = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1, 3], [1]];
  for (const mantissas of choices) {
    const ticks = byMantissas(mantissas);
    if (ticks.length >= 2 && ticks.length <= limit) return ticks;
    if (mantissas.length === 1 && ticks.length >= 2) {
      // Powers of ten only and still too many: keep every k-th one.
      const every = Math.ceil(ticks.length / limit);
      return ticks.filter((t) => Math.round(Math.log10(t)) % every === 0);
    }
  }
  // Less than a decade with no round number inside: the ends, rounded.
  return decades < 1 ? [Number(lo.toPrecision(2)), Number(hi.toPrecision(2))].filter(inRange) : [];
}

/**
 * Ticks of a symmetric-log axis over [0, hi] (counts such as updates, which start at 0): 0, then
 * the log ticks from 1 up.
 */
export function symlogTicks(hi: number, maxTicks: number): number[] {
  if (!(hi > 1)) return [0, ...(hi > 0 ? [hi] : [])];
  return [0, ...logTicks(1, hi, Math.max(2, maxTicks - 1))];
}

/** Keeps every tick whose label is a round number (1, 2 or 5 × 10^k), thinned to at most `max`. */
export function roundTicks(ticks: readonly number[], max: number): number[] {
  const round = ticks.filter((t) => t === 0 || [1, 2, 5].includes(mantissa(Math.abs(t))));
  const every = Math.max(1, Math.ceil(round.length / Math.max(1, max)));
  return round.filter((_, i) => i % every === 0);
}
