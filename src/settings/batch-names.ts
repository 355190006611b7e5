/** The words the page uses for a batch size, in one place so the slider, legend and article agree. */

/** What the slider says as it moves. */
export function describeBatchSize(b: number, n: number): string {
  if (b >= n) return `B = N = ${n}: full-batch gradient descent`;
  if (b === 1) return 'B = 1: stochastic gradient descent';
  return `B = ${b}: mini-batch gradient descent`;
}

/** The legend entry of a run. */
export function runLabel(b: number, n: number): string {
  if (b >= n) return `B = N = ${n} (full batch)`;
  if (b === 1) return 'B = 1 (SGD)';
  return `B = ${b}`;
}
