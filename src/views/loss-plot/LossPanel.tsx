import { useAppState, useSession } from '../../state/session-context';
import { LossPlot } from './LossPlot';

/** The loss plot connected to the session: runs in, axis choices and focus out. */
export function LossPanel() {
  const session = useSession();
  const runs = useAppState((s) => s.runs);
  const xAxis = useAppState((s) => s.settings.xAxis);
  const xScale = useAppState((s) => s.settings.xScale);
  const yScale = useAppState((s) => s.settings.yScale);
  const settings = useAppState((s) => s.settings);
  const focusedRunId = useAppState((s) => s.focusedRunId);
  return (
    <LossPlot
      runs={runs}
      xAxis={xAxis}
      xScale={xScale}
      yScale={yScale}
      settings={settings}
      focusedRunId={focusedRunId}
      onXAxis={(axis) => session.update({ xAxis: axis })}
      onXScale={(scale) => session.update({ xScale: scale })}
      onYScale={(scale) => session.update({ yScale: scale })}
      onFocus={(id) => session.focus(id)}
      onRemove={(id) => session.removeRun(id)}
    />
  );
}
