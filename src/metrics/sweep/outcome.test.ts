import { describe, expect, it } from 'vitest';
import { bestRunPerBatchSize, type RunOutcome, type RunStatus } from './outcome';

function run(
  batchSize: number,
  learningRate: number,
  status: RunStatus,
  step?: number,
  stepAfter?: number,
): RunOutcome {
  return {
    batchSize,
    learningRate,
    status,
    crossing:
      step === undefined
        ? null
        : {
            step,
            samples: step * batchSize,
            stepBefore: Math.floor(step),
            stepAfter: stepAfter ?? Math.ceil(step),
          },
    stepsTaken: stepAfter ?? Math.ceil(step ?? 100),
    samplesTaken: 0,
    finalLoss: 0,
    history: [],
    simpleNoiseScale: null,
  };
}

describe('bestRunPerBatchSize', () => {
  it('picks the fewest interpolated steps, not the earliest evaluation after the crossing', () => {
    // lr 0.3 was evaluated below the target later (step 40) but crossed earlier (step 21.5).
    const best = bestRunPerBatchSize([run(8, 0.1, 'reached', 30, 32), run(8, 0.3, 'reached', 21.5, 40)]);
    expect(best.get(8)?.learningRate).toBe(0.3);
  });

  it('never picks a diverged, never-reached, slower or cancelled run', () => {
    const runs = [
      run(4, 1, 'diverged'),
      run(4, 0.01, 'budget'),
      run(4, 0.03, 'slower'),
      run(4, 0.05, 'cancelled'),
      run(4, 0.1, 'reached', 50),
      run(16, 1, 'diverged'),
      run(16, 0.01, 'budget'),
    ];
    const best = bestRunPerBatchSize(runs);
    expect(best.get(4)?.learningRate).toBe(0.1);
    expect(best.has(16)).toBe(false);
  });

  it('breaks ties towards the smaller learning rate and lists batch sizes in order', () => {
    const best = bestRunPerBatchSize([
      run(32, 1, 'reached', 10),
      run(2, 0.1, 'reached', 90),
      run(32, 0.5, 'reached', 10),
    ]);
    expect([...best.keys()]).toEqual([2, 32]);
    expect(best.get(32)?.learningRate).toBe(0.5);
  });
});
