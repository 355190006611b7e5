import { type InputHTMLAttributes, useEffect, useRef, useState } from 'react';

export interface CommitRangeProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> {
  value: number;
  /** While dragging or stepping: the shown value. */
  onPreview?: (value: number) => void;
  /** When the value is settled (released, or a key press after a short pause). */
  onCommit: (value: number, fromKeyboard: boolean) => void;
}

/**
 * A range input that reports a value as it moves and again when it is settled. React's onChange
 * fires on every movement; the native `change` event fires on release (mouse, touch) and on
 * every key press, so keyboard commits are told apart and the caller can wait for a pause.
 */
export function CommitRange({ value, onPreview, onCommit, ...rest }: CommitRangeProps) {
  const ref = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState(value);
  const viaKeyboard = useRef(false);
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;

  useEffect(() => setShown(value), [value]);

  useEffect(() => {
    const input = ref.current;
    if (!input) return;
    const onChange = () => commitRef.current(Number(input.value), viaKeyboard.current);
    const onKey = () => {
      viaKeyboard.current = true;
    };
    const onPointer = () => {
      viaKeyboard.current = false;
    };
    input.addEventListener('change', onChange);
    input.addEventListener('keydown', onKey);
    input.addEventListener('pointerdown', onPointer);
    return () => {
      input.removeEventListener('change', onChange);
      input.removeEventListener('keydown', onKey);
      input.removeEventListener('pointerdown', onPointer);
    };
  }, []);

  return (
    <input
      {...rest}
      ref={ref}
      type="range"
      value={shown}
      onChange={(event) => {
        const v = Number(event.target.value);
        setShown(v);
        onPreview?.(v);
      }}
    />
  );
}
