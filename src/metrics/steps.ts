/**
 * Long computations written as generators that yield between small pieces of work, so a page
 * can run them a slice per task (`runInSlices` in state/next-task.ts) and tests or Node can run
 * them straight through with `runToEnd`.
 */
export type Steps<T> = Generator<void, T>;

/** Runs `work` to its end at once and returns its result. */
export function runToEnd<T>(work: Iterator<unknown, T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}
