import { useAppState } from '../../state/session-context';

/** Which engine trains, and why: the page's answer to "is this running on my GPU?". */
export function EngineBadge() {
  const engine = useAppState((s) => s.engine);
  const samplesPerFrame = useAppState((s) => s.samplesPerFrame);
  const kind = engine.kind ?? 'none';
  const details = [
    engine.compileMs !== undefined ? `shaders compiled in ${Math.round(engine.compileMs)} ms` : null,
    `training in chunks of about ${samplesPerFrame} samples per run per frame`,
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <p className={`engine-badge engine-${kind} engine-${engine.status}`} data-engine={kind} title={details}>
      <span className="engine-dot" aria-hidden="true" />
      <span className="visually-hidden">Engine: </span>
      {engine.status === 'failed'
        ? `Training is unavailable: ${engine.error ?? 'unknown error'}`
        : engine.badge}
    </p>
  );
}
