import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { ExportButtons } from '../shared/ExportButtons';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { useSliced } from '../shared/use-sliced';
import { landscapeArrows, landscapeDataset, landscapeRuns, landscapeSurfaceSteps } from './landscape-model';
import { drawLandscape, landscapeRunColour } from './landscape-plot';
import './landscape.css';

const LEARNING_RATES = [0.05, 0.1, 0.15, 0.2];
const MID_BATCH_SIZES = [2, 4, 8, 16];
const MAX_STEPS = 60;

function fmt(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(3)).toString() : String(value);
}

/**
 * The loss landscape of linear regression ŷ = w·x + b (two parameters, so the whole parameter
 * space is the page): runs of B = 1, a middle B and B = N from one start, trained by the CPU engine.
 */
export function LandscapePanel({ headless = false }: { headless?: boolean } = {}) {
  const headingId = useId();
  const dataset = useMemo(() => landscapeDataset(), []);
  const [learningRate, setLearningRate] = useState(0.15);
  const [midBatchSize, setMidBatchSize] = useState(4);
  const [currentStep, setCurrentStep] = useState(4);
  const [arrowRun, setArrowRun] = useState(1);
  const [playing, setPlaying] = useState(false);

  // Play: one step every 250 ms up to the last step (from the start again after the end).
  useEffect(() => {
    if (!playing) return;
    setCurrentStep((s) => (s >= MAX_STEPS ? 0 : s));
    const timer = setInterval(() => {
      setCurrentStep((s) => {
        if (s >= MAX_STEPS) {
          setPlaying(false);
          return s;
        }
        return s + 1;
      });
    }, 250);
    return () => clearInterval(timer);
  }, [playing]);
  const base = useMemo(
    () => landscapeRuns(dataset, { learningRate, midBatchSize, steps: MAX_STEPS, shuffleSeed: 5 }),
    [dataset, learningRate, midBatchSize],
  );
  // The surface under the runs, computed in slices: the runs show at once, the contours follow.
  const surfaced = useSliced(base, (runs) => landscapeSurfaceSteps(runs.dataset, runs.extent));
  const surface = surfaced && 'value' in surfaced && surfaced.key === base ? surfaced.value : null;
  const arrows = useMemo(
    () => landscapeArrows(base, { currentStep, arrowRun, learningRate }),
    [base, currentStep, arrowRun, learningRate],
  );
  const runLabels = useMemo(
    () => base.runs.map((r) => (r.batchSize === dataset.n ? `B = N = ${r.batchSize}` : `B = ${r.batchSize}`)),
    [base, dataset],
  );
  const figureRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const { width, measured } = useElementWidth(figureRef, 640);

  useDrawEffect(() => {
    if (!svgRef.current || !measured) return;
    drawLandscape(svgRef.current, width, {
      extent: base.extent,
      surface,
      runs: base.runs,
      runLabels,
      n: dataset.n,
      optimum: base.optimum,
      currentStep,
      arrows,
      arrowRun,
    });
  }, [base, surface, width, measured, currentStep, arrows, arrowRun, runLabels, dataset.n]);

  const arrowBatch = base.runs[arrowRun]?.batchSize ?? 1;
  return (
    <section
      className="landscape-panel"
      aria-labelledby={headless ? undefined : headingId}
      aria-label={headless ? 'The loss landscape of a two-parameter model' : undefined}
      data-view="landscape"
    >
      {!headless && <h2 id={headingId}>The loss landscape of a two-parameter model</h2>}
      <p className="landscape-intro">
        Linear regression ŷ = w·x + b on {dataset.n} noisy points has just two parameters, so every possible
        model is a point of this plane, and the shading is the full-dataset loss there (darker is higher).
        Three runs start from the same point with the same learning rate: B = 1 zig-zags, because each step
        follows one sample; B = N follows the steepest descent, at right angles to the contour lines.
      </p>
      <div className="landscape-controls">
        <label>
          Learning rate{' '}
          <select value={learningRate} onChange={(e) => setLearningRate(Number(e.target.value))}>
            {LEARNING_RATES.map((lr) => (
              <option key={lr} value={lr}>
                {lr}
              </option>
            ))}
          </select>
        </label>
        <label>
          Middle batch size{' '}
          <select value={midBatchSize} onChange={(e) => setMidBatchSize(Number(e.target.value))}>
            {MID_BATCH_SIZES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label className="landscape-step">
          Step{' '}
          <input
            type="range"
            min={0}
            max={MAX_STEPS}
            value={currentStep}
            onChange={(e) => setCurrentStep(Number(e.target.value))}
            aria-valuetext={`step ${currentStep} of ${MAX_STEPS}`}
          />{' '}
          <output>{currentStep}</output>
        </label>
        <button type="button" onClick={() => setPlaying((p) => !p)} aria-pressed={playing}>
          {playing ? 'Pause' : currentStep >= MAX_STEPS ? 'Replay' : 'Play'}
        </button>
        <fieldset className="landscape-arrow-run">
          <legend>Arrows for the run with</legend>
          {base.runs.map((run, r) => (
            <label key={run.batchSize}>
              <input
                type="radio"
                name={`${headingId}-arrows`}
                checked={arrowRun === r}
                onChange={() => setArrowRun(r)}
              />{' '}
              {runLabels[r]}
            </label>
          ))}
        </fieldset>
      </div>
      <ul className="landscape-legend" aria-label="Legend">
        {base.runs.map((run, r) => (
          <li key={run.batchSize}>
            <span
              className="swatch"
              style={{ background: landscapeRunColour(run, dataset.n) }}
              aria-hidden="true"
            />
            {runLabels[r]}: loss {fmt(run.losses[Math.min(currentStep, run.losses.length - 1)] as number)}
          </li>
        ))}
        <li>
          <span className="swatch swatch-arrow-sample" aria-hidden="true" />
          each sample's step −lr·g<sub>i</sub>
        </li>
        <li>
          <span
            className="swatch swatch-arrow-mean"
            style={{ background: landscapeRunColour({ batchSize: arrowBatch }, dataset.n) }}
            aria-hidden="true"
          />
          the batch's step −lr·ḡ (their mean)
        </li>
      </ul>
      <div className="landscape-figure" ref={figureRef}>
        <svg ref={svgRef} />
      </div>
      <ExportButtons svg={() => svgRef.current} what="the loss landscape" filename="batchlab-landscape" />
      <p className="landscape-note" aria-live="polite">
        {arrows
          ? `At step ${currentStep}, the ${arrowBatch === 1 ? 'one sample' : `${arrowBatch} samples`} of the next batch of the ${runLabels[arrowRun]} run ${arrowBatch === 1 ? 'pulls' : 'pull'} in the directions of the thin arrows; the run moves by the thick arrow, their average.`
          : 'Move the step slider back to see the arrows of the next batch.'}
      </p>
    </section>
  );
}
