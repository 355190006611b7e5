import { useState } from 'react';
import { errorText } from '../../error-text';
import { downloadBlob, exportPlot } from '../chart/export';

export interface ExportButtonsProps {
  /** The plot to export, looked up when a button is pressed. */
  svg: () => SVGSVGElement | null;
  /** What the plot is, for the buttons' names: "the loss plot". */
  what: string;
  /** File name without extension: `batchlab-loss-circles`. */
  filename: string;
  /** A canvas drawn under the SVG (data view). */
  underlay?: () => HTMLCanvasElement | null;
  /** Also offer the numbers as CSV. */
  csv?: () => string;
}

/** PNG and SVG downloads of a plot (and CSV of its numbers); all made in the browser. */
export function ExportButtons({ svg, what, filename, underlay, csv }: ExportButtonsProps) {
  const [error, setError] = useState<string | null>(null);
  const save = async (kind: 'png' | 'svg') => {
    const element = svg();
    if (!element) return;
    setError(null);
    try {
      await exportPlot(element, kind, `${filename}.${kind}`, { underlay: underlay?.() ?? null });
    } catch (caught) {
      setError(`Could not save ${what}: ${errorText(caught)}`);
    }
  };
  return (
    <div className="export-buttons">
      <span className="export-label" aria-hidden="true">
        Download
      </span>
      <button type="button" onClick={() => void save('png')} aria-label={`Download ${what} as PNG`}>
        PNG
      </button>
      <button type="button" onClick={() => void save('svg')} aria-label={`Download ${what} as SVG`}>
        SVG
      </button>
      {csv ? (
        <button
          type="button"
          onClick={() =>
            downloadBlob(new Blob([csv()], { type: 'text/csv;charset=utf-8' }), `${filename}.csv`, svg())
          }
          aria-label={`Download the numbers of ${what} as CSV`}
        >
          CSV
        </button>
      ) : null}
      {error ? (
        <span className="export-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
