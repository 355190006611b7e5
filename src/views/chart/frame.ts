/**
 * The set-up every plot shares: an <svg> of a given size with margins, a clipped plot area,
 * axes with labels and optional grid lines. Elements are created on the first call and updated
 * on later ones (D3 data joins), so a plot redraws by calling its draw function again.
 */
import { type Axis, type AxisScale, axisBottom, axisLeft, type Selection, select } from 'd3';
import { formatTick } from './ticks';

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface ChartFrame {
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  /** Translated by the margins: axes, labels and layers live here. */
  root: Selection<SVGGElement, unknown, null, undefined>;
  width: number;
  height: number;
  margin: Margin;
  innerWidth: number;
  innerHeight: number;
  clipId: string;
  /** A named group inside the plot area, created once, drawn in the order of first request. */
  layer: (name: string, clipped?: boolean) => Selection<SVGGElement, unknown, null, undefined>;
}

export interface FrameOptions {
  width: number;
  height: number;
  margin: Margin;
  /** Accessible name of the figure (also its <title>, which export keeps). */
  label?: string;
}

let frameCounter = 0;

export function chartFrame(svgElement: SVGSVGElement, options: FrameOptions): ChartFrame {
  const { width, height, margin } = options;
  const innerWidth = Math.max(10, width - margin.left - margin.right);
  const innerHeight = Math.max(10, height - margin.top - margin.bottom);
  const svg = select(svgElement)
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height);
  if (options.label !== undefined) {
    svg.attr('aria-label', options.label);
    svg
      .selectAll<SVGTitleElement, string>('title.chart-title')
      .data([options.label])
      .join((enter) => enter.insert('title', ':first-child').attr('class', 'chart-title'))
      .text((d) => d);
  }
  let root = svg.select<SVGGElement>('g.chart-root');
  if (root.empty()) {
    const clipId = `chart-clip-${++frameCounter}`;
    root = svg.append('g').attr('class', 'chart-root').attr('data-clip-id', clipId);
    root.append('clipPath').attr('id', clipId).append('rect');
    root.append('g').attr('class', 'grid');
    root.append('g').attr('class', 'chart-layers');
    root.append('g').attr('class', 'x-axis axis');
    root.append('g').attr('class', 'y-axis axis');
    root.append('text').attr('class', 'axis-label x-label').attr('text-anchor', 'middle');
    root
      .append('text')
      .attr('class', 'axis-label y-label')
      .attr('text-anchor', 'middle')
      .attr('transform', 'rotate(-90)');
    // Last, so the read-out box is drawn over everything.
    root.append('g').attr('class', 'chart-readout').attr('pointer-events', 'none');
  }
  const clipId = root.attr('data-clip-id');
  root.attr('transform', `translate(${margin.left},${margin.top})`);
  root.select('clipPath rect').attr('width', innerWidth).attr('height', innerHeight);
  const layers = root.select<SVGGElement>('g.chart-layers');
  const layer = (name: string, clipped = true) => {
    let g = layers.select<SVGGElement>(`:scope > g.${name}`);
    if (g.empty()) g = layers.append('g').attr('class', name);
    return g.attr('clip-path', clipped ? `url(#${clipId})` : null);
  };
  return { svg, root, width, height, margin, innerWidth, innerHeight, clipId, layer };
}

export interface AxesOptions {
  xLabel: string;
  yLabel: string;
  /** Tick values; by default the scale's own ticks, about one per 80 px across and 50 px up. */
  xTicks?: readonly number[];
  yTicks?: readonly number[];
  xFormat?: (value: number) => string;
  yFormat?: (value: number) => string;
  /** Horizontal grid lines at the y ticks. */
  grid?: boolean;
}

interface TickingScale extends AxisScale<number> {
  ticks?: (count?: number) => number[];
}

function defaultTicks(scale: TickingScale, pixels: number, every: number): number[] {
  return scale.ticks ? scale.ticks(Math.max(2, Math.floor(pixels / every))) : [];
}

export function drawAxes(frame: ChartFrame, x: TickingScale, y: TickingScale, options: AxesOptions): void {
  const { root, innerWidth, innerHeight } = frame;
  const xTicks = options.xTicks ?? defaultTicks(x, innerWidth, 80);
  const yTicks = options.yTicks ?? defaultTicks(y, innerHeight, 50);
  const xFormat = options.xFormat ?? formatTick;
  const yFormat = options.yFormat ?? formatTick;
  const bottom: Axis<number> = axisBottom(x)
    .tickValues(xTicks)
    .tickFormat((d) => xFormat(Number(d)));
  const left: Axis<number> = axisLeft(y)
    .tickValues(yTicks)
    .tickFormat((d) => yFormat(Number(d)));
  root.select<SVGGElement>('g.x-axis').attr('transform', `translate(0,${innerHeight})`).call(bottom);
  root.select<SVGGElement>('g.y-axis').call(left);
  root
    .select<SVGGElement>('g.grid')
    .selectAll<SVGLineElement, number>('line')
    .data(options.grid ? yTicks : [])
    .join('line')
    .attr('x1', 0)
    .attr('x2', innerWidth)
    .attr('y1', (d) => y(d) ?? 0)
    .attr('y2', (d) => y(d) ?? 0);
  root
    .select('text.x-label')
    .attr('x', innerWidth / 2)
    .attr('y', innerHeight + 36)
    .text(options.xLabel);
  root
    .select('text.y-label')
    .attr('x', -innerHeight / 2)
    .attr('y', -(frame.margin.left - 14))
    .text(options.yLabel);
}
