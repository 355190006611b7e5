/**
 * Lets the browser breathe between pieces of start-up work: each call runs its callback in a
 * task of its own, so input, painting and timers get their turn in between and no single task
 * at page load holds the main thread for long (the page's goal: none over 50 ms).
 *
 * A MessageChannel message rather than `setTimeout(0)`: it is not clamped to 4 ms when chained,
 * and not throttled to once a second when the page loads in a background tab.
 */
export function afterNextTask(callback: () => void): () => void {
  let cancelled = false;
  const run = () => {
    if (!cancelled) callback();
  };
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      run();
    };
    channel.port2.postMessage(null);
  } else setTimeout(run, 0);
  return () => {
    cancelled = true;
  };
}

/** `await nextTask()`: the rest of an async function runs in a later task. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    afterNextTask(resolve);
  });
}

/** How long one slice of `runInSlices` may run before it lets the browser have a turn, ms. */
export const SLICE_MS = 8;

/**
 * Runs `work`, a generator that yields between small pieces of a long computation, a slice of
 * about `SLICE_MS` per task, so a computation of any length never blocks the page; `onDone` gets
 * its result, `onError` what it threw. The first slice runs in a task of its own too. Returns a
 * cancel function: after it, nothing more runs and neither callback is called.
 */
export function runInSlices<T>(
  work: Iterator<unknown, T>,
  onDone: (result: T) => void,
  onError: (error: unknown) => void = () => undefined,
  sliceMs = SLICE_MS,
): () => void {
  let cancelNext: () => void = () => undefined;
  let cancelled = false;
  const slice = () => {
    const started = performance.now();
    try {
      for (;;) {
        const step = work.next();
        if (step.done) {
          onDone(step.value);
          return;
        }
        if (performance.now() - started >= sliceMs) break;
      }
    } catch (error) {
      onError(error);
      return;
    }
    if (!cancelled) cancelNext = afterNextTask(slice);
  };
  cancelNext = afterNextTask(slice);
  return () => {
    cancelled = true;
    cancelNext();
  };
}
