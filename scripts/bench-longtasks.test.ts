import { describe, expect, it } from 'vitest';
import { formatLongTasks, type LongTaskResult, summariseLongTasks } from '../bench/longtasks';

describe('the long-task figures', () => {
  it('count only tasks over 50 ms, and sum the time beyond 50 ms as blocking time', () => {
    expect(summariseLongTasks([10, 50, 51, 120, 80, Number.NaN], 1000)).toEqual({
      count: 3,
      longestMs: 120,
      totalBlockingMs: 1 + 70 + 30,
      busyFraction: (51 + 120 + 80) / 1000,
    });
  });

  it('say "none" rather than 0 ms when no task was long', () => {
    expect(summariseLongTasks([3, 49.9], 3000)).toEqual({
      count: 0,
      longestMs: null,
      totalBlockingMs: 0,
      busyFraction: 0,
    });
  });

  it('print one aligned row per setup', () => {
    const result = (setup: string, durations: number[]): LongTaskResult => ({
      setup,
      badge: 'CPU',
      windowMs: 8000,
      summary: summariseLongTasks(durations, 8000),
      stepsPerRun: { 'B=1': 1200, 'B=8': 150 },
    });
    const lines = formatLongTasks([result('WebGPU', [110, 60]), result('CPU', [])]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^WebGPU\s+8 s\s+2\s+110\s+70\s+2\.1 %\s+B=1: 1200, B=8: 150$/);
    expect(lines[3]).toMatch(/^CPU\s+8 s\s+0\s+< 50\s+0\s+0\.0 %/);
    expect(lines[2]?.indexOf('8 s')).toBe(lines[0]?.indexOf('window'));
  });
});
