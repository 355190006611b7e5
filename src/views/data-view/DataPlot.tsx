import { useMemo, useRef } from 'react';
import { formatCount } from '../../data/format-count';
import type { Dataset, ModelSpec } from '../../engine/types';
import { fileSlug } from '../chart/export';
import { CLASS_COLOURS } from '../chart/palette';
import { ExportButtons } from '../shared/ExportButtons';
import { useDrawEffect } from '../shared/use-draw-effect';
import { useElementWidth } from '../shared/use-element-width';
import { useSliced } from '../shared/use-sliced';
import { dotsLayerSteps, drawDataView } from './draw-data-view';
import { modelPictureSteps } from './model-picture';

export interface DataPlotProps {
  dataset: Dataset;
  model: ModelSpec | null;
  weights: Float64Array | null;
  /** The run whose model is shown. */
  runLabel: string | null;
  runColour: string;
  classNames?: readonly string[];
}

function caption(dataset: Dataset, kind: string | undefined, runLabel: string | null): string {
  const whose = runLabel ? `the network of the run ${runLabel}` : 'the untrained network';
  switch (kind) {
    case 'boundary':
      return `Each dot is one training sample, coloured by its class. The shading is what ${whose} predicts at every point: the stronger the colour, the surer it is; the boundary is where the colours meet.`;
    case 'curve':
      return `Each dot is one training sample; the line is the curve ${whose} has fitted so far.`;
    case 'predicted-vs-actual':
      return `With ${dataset.inputSize} inputs the fit cannot be drawn as a curve, so each dot compares a sample's actual value (across) with what ${whose} predicts (up). A perfect model puts every dot on the diagonal.`;
    default:
      return '';
  }
}

export function DataPlot({ dataset, model, weights, runLabel, runColour, classNames }: DataPlotProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const box = useElementWidth(boxRef, 400);
  const width = Math.max(240, Math.floor(box.width));
  const height = Math.round(Math.min(440, Math.max(240, width * 0.85)));

  // Computed in slices after the render (the largest network's first picture took 40 ms in one
  // task); the dots show at once, the model's picture a moment later. A picture of other data
  // or another network is not shown; one that failed (weights of a model being replaced) is
  // simply missing until the next refresh.
  const pictureKey = useMemo(
    () => (model && weights && model.inputSize === dataset.inputSize ? { dataset, model, weights } : null),
    [dataset, model, weights],
  );
  const pictured = useSliced(pictureKey, (k) => modelPictureSteps(k.dataset, k.model, k.weights));
  const picture =
    pictured && 'value' in pictured && pictured.key.dataset === dataset && pictured.key.model === model
      ? pictured.value
      : null;

  // The dots, painted in slices too: once per dataset and size (they do not move as the model
  // trains), or with each new picture when they are the model's predictions.
  const pixelRatio = Math.min(2, (typeof window === 'undefined' ? 1 : window.devicePixelRatio) || 1);
  const predictions = picture?.kind === 'predicted-vs-actual' ? picture : null;
  const dotsKey = useMemo(
    () => (box.measured ? { dataset, predictions, size: { width, height, pixelRatio } } : null),
    [dataset, predictions, width, height, pixelRatio, box.measured],
  );
  const painted = useSliced(dotsKey, (k) => dotsLayerSteps(k.dataset, k.predictions, k.size));
  const dots = painted && 'value' in painted && painted.key.dataset === dataset ? painted.value : null;

  useDrawEffect(() => {
    if (!canvasRef.current || !svgRef.current || !box.measured) return;
    drawDataView(canvasRef.current, svgRef.current, dataset, picture, {
      width,
      height,
      runColour,
      pixelRatio,
      runLabel,
      classNames,
      dots,
    });
  }, [dataset, picture, dots, width, height, pixelRatio, box.measured, runColour, runLabel, classNames]);

  const names =
    classNames ?? Array.from({ length: dataset.classes }, (_, c) => (dataset.classes ? `class ${c}` : ''));
  const text = caption(dataset, picture?.kind, runLabel);
  return (
    <figure className="data-view">
      <div ref={boxRef} className="data-box" style={{ height }}>
        <canvas ref={canvasRef} />
        <svg
          ref={svgRef}
          role="img"
          aria-label={`${dataset.name}: ${dataset.n} samples. ${text}`}
          className="data-overlay"
        />
      </div>
      <ExportButtons
        svg={() => svgRef.current}
        underlay={() => canvasRef.current}
        what="the data view"
        filename={`batchlab-data-${fileSlug(dataset.id)}`}
      />
      {picture?.kind === 'none' ? <p className="muted">{picture.reason}</p> : null}
      {dataset.task === 'classification' && dataset.inputSize === 2 ? (
        <ul className="class-key" aria-label="Classes">
          {names.map((name, c) => (
            <li key={name}>
              <span
                className="dot"
                style={{ background: CLASS_COLOURS[c % CLASS_COLOURS.length] }}
                aria-hidden="true"
              />
              {name}
            </li>
          ))}
        </ul>
      ) : null}
      <figcaption>
        {text}
        {picture?.kind === 'predicted-vs-actual' && picture.shown < dataset.n
          ? ` (${formatCount(picture.shown)} of ${formatCount(dataset.n)} samples shown.)`
          : ''}
        {dataset.source ? <span className="source"> Source: {dataset.source}.</span> : null}
      </figcaption>
    </figure>
  );
}
