import { useAppState, useSession } from '../../state/session-context';
import { LossPlot } from './LossPlot';

/** The loss plot connected to the session: runs in, axis choices and focus out. */
export function LossPanel() {
  const session = useSession();
  const runs = useAppState((s) => s.runs);
  const xAxis = useAppState((s) => s.settings.xAxis);
  const yScale = useAppState((s) => s.settings.yScale);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  return (
    <LossPlot
      runs={runs}
      xAxis={xAxis}
      yScale={yScale}
      focusedRunId={focusedRunId}
      onXAxis={(axis) => session.update({ xAxis: axis })}
      onYScale={(scale) => session.update({ yScale: scale })}
      onFocus={(id) => session.focus(id)}
      onRemove={(id) => session.removeRun(id)}
    />
  );
}
