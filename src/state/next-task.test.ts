import { describe, expect, it } from 'vitest';
import { runToEnd } from '../metrics/steps';
import { afterNextTask, nextTask, runInSlices } from './next-task';

/** A computation of `pieces` pieces, each busy for `busyMs`, that returns the pieces' sum. */
function* busyWork(pieces: number, busyMs: number, log: number[]): Generator<void, number> {
  let sum = 0;
  for (let i = 0; i < pieces; i++) {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // busy, as a long computation is
    }
    log.push(i);
    sum += i;
    if (i < pieces - 1) yield;
  }
  return sum;
}

describe('afterNextTask', () => {
  it('runs the callback later, not now, and not at all once cancelled', async () => {
    const calls: string[] = [];
    afterNextTask(() => calls.push('first'));
    const cancel = afterNextTask(() => calls.push('cancelled'));
    cancel();
    calls.push('now');
    await nextTask();
    await nextTask();
    expect(calls).toEqual(['now', 'first']);
  });
});

describe('runInSlices', () => {
  it('gives the same result as running to the end, a slice of about 8 ms per task', async () => {
    // A ticker that counts task turns: pieces run in one slice see the same count.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) afterNextTask(tick);
    };
    afterNextTask(tick);
    const turns: number[] = [];
    const log: number[] = [];
    function* watched(): Generator<void, number> {
      const work = busyWork(12, 3, log);
      for (;;) {
        turns.push(turn);
        const step = work.next();
        if (step.done) return step.value;
        yield;
      }
    }
    const result = await new Promise<number>((resolve, reject) => {
      runInSlices(watched(), resolve, reject, 8);
    });
    ticking = false;
    expect(result).toBe(runToEnd(busyWork(12, 0, [])));
    expect(result).toBe(66);
    expect(log).toEqual([...Array(12).keys()]);
    // Pieces of at least 3 ms in 8 ms slices: at most three per task (the third ends past 8 ms).
    const perTurn = new Map<number, number>();
    for (const t of turns.slice(0, 12)) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    expect(perTurn.size).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(3);
  });

  it('stops when cancelled: no more pieces, no result', async () => {
    const log: number[] = [];
    let done = false;
    const cancel = runInSlices(busyWork(50, 2, log), () => {
      done = true;
    });
    await nextTask();
    cancel();
    const seen = log.length;
    for (let i = 0; i < 5; i++) await nextTask();
    expect(log.length).toBe(seen);
    expect(seen).toBeLessThan(50);
    expect(done).toBe(false);
  });

  it('hands what the computation throws to onError', async () => {
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('weights of another model');
    }
    const error = await new Promise<unknown>((resolve) => {
      runInSlices(failing(), () => resolve(null), resolve);
    });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('weights of another model');
  });
});
