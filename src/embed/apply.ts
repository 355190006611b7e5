/**
 * Carries a change of parameters (an attribute of `<batch-lab>` changed, or a host page sent
 * `batchlab:set`) to a running session with the session's own actions, so an embed reacts
 * exactly as the page does when a learner changes the same setting.
 */
import type { Settings } from '../settings/settings';
import type { Session } from '../state/session';

/** Settings whose change rebuilds data, engine or runs (the session decides how much). */
const REBUILDING: readonly (keyof Settings)[] = [
  'dataset',
  'n',
  'noise',
  'seed',
  'hidden',
  'activation',
  'engine',
  'learningRate',
  'reduction',
  'optimizer',
  'lastBatch',
];
/** Settings that only change what is shown. */
const DISPLAY: readonly (keyof Settings)[] = ['xAxis', 'xScale', 'yScale', 'speed', 'panels'];

function same(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.join() === b.join() : a === b;
}

/**
 * Applies what differs between `before` and `after` (both parsed settings) to the session.
 * `runsGiven`: whether the new parameters name the runs. When they do not, the parser's default
 * (one run with B) is not a request to drop the runs on the plot: a new B joins them instead.
 */
export function applySettingsChange(
  session: Session,
  before: Settings,
  after: Settings,
  runsGiven: boolean,
): void {
  const changed = (key: keyof Settings) =>
    key === 'runs' && !runsGiven ? false : !same(before[key], after[key]);
  const patch: Partial<Settings> = {};
  const put = <K extends keyof Settings>(key: K) => {
    patch[key] = after[key];
  };
  const rebuilds = REBUILDING.some(changed);
  for (const key of [...REBUILDING, ...DISPLAY]) if (changed(key)) put(key);
  if (rebuilds) {
    // The session restarts the runs anyway: start them with the new batch sizes.
    if (changed('batchSize')) put('batchSize');
    if (changed('runs') || changed('batchSize'))
      patch.runs = changed('runs') ? after.runs : [after.batchSize];
  }
  if (Object.keys(patch).length > 0) session.update(patch);
  if (!rebuilds) {
    if (changed('runs')) {
      session.update({ runs: after.runs, ...(changed('batchSize') ? { batchSize: after.batchSize } : {}) });
      session.reset();
    } else if (changed('batchSize')) {
      // As if the learner had released the slider on this B.
      session.commitBatchSize(after.batchSize);
    }
  }
  if (changed('playing')) {
    if (after.playing) session.play();
    else session.pause();
  }
}
