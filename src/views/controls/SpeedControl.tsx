import { useId } from 'react';
import { SPEED_LABELS } from '../../state/budget';

/** The training-speed slider (1 … SPEED_LABELS.length), named as it moves; the app and embeds share it. */
export function SpeedControl({
  speed,
  disabled = false,
  onChange,
}: {
  speed: number;
  disabled?: boolean;
  onChange: (speed: number) => void;
}) {
  const id = useId();
  const name = SPEED_LABELS[speed - 1];
  return (
    <div className="speed">
      <label htmlFor={id}>Speed</label>
      <input
        id={id}
        type="range"
        min={1}
        max={SPEED_LABELS.length}
        step={1}
        value={speed}
        disabled={disabled}
        aria-valuetext={name}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <span className="speed-name">{name}</span>
    </div>
  );
}
