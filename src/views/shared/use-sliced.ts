import { useEffect, useRef, useState } from 'react';
import { runInSlices } from '../../state/next-task';

/** What a sliced computation gave, and for which key: its value or what it threw. */
export type SlicedResult<K, T> = { key: K; value: T } | { key: K; error: unknown };

/**
 * Runs `work(key)` in slices after the render (`runInSlices`) whenever `key` changes (compared
 * by identity: memoise it), and returns the latest result with the key it belongs to, so the
 * caller decides whether an older result may still be shown. A key of null computes nothing.
 */
export function useSliced<K, T>(
  key: K | null,
  work: (key: K) => Iterator<unknown, T>,
): SlicedResult<K, T> | null {
  const [result, setResult] = useState<SlicedResult<K, T> | null>(null);
  const latestWork = useRef(work);
  latestWork.current = work;
  useEffect(() => {
    if (key === null) return;
    return runInSlices(
      latestWork.current(key),
      (value) => setResult({ key, value }),
      (error) => setResult({ key, error }),
    );
  }, [key]);
  return result;
}
