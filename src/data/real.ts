/**
 * Real datasets from the npm package `vega-datasets`, bundled at build time (no network at run
 * time). Load this module with a dynamic `import()` (the catalog does) so bundles that never
 * show real data leave it and its JSON out.
 *
 * Features (and the regression target) are standardised to mean 0, standard deviation 1 over
 * all usable rows, so one learning rate suits every dataset.
 */

// The package's `exports` map only exposes its JS entry, so the JSON files are imported by path.
import carsRows from '../../node_modules/vega-datasets/data/cars.json';
import penguinRows from '../../node_modules/vega-datasets/data/penguins.json';
import { permutation, Rng } from '../engine/random';
import type { Dataset } from '../engine/types';

export type RealDatasetId = 'cars' | 'penguins';

export interface RealDatasetOptions {
  /** Rows wanted; fewer than available draws a seeded random subset, more gives every row. */
  n?: number;
  seed?: number;
}

export const CARS_SOURCE =
  'Cars: Henry Garrett, StatLib (1983 ASA Data Exposition), via vega-datasets; rows with missing values dropped';
export const PENGUINS_SOURCE =
  'Penguins: Gorman, Williams & Fraser (2014), Palmer Station LTER, via vega-datasets; rows with missing values dropped';

/** Class index → species name for the penguins dataset. */
export const PENGUIN_SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const;

/** Raw rows as numbers: features then target, with rows that miss any value removed. */
interface Table {
  features: number[][];
  targets: number[];
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function carsTable(): Table {
  const table: Table = { features: [], targets: [] };
  for (const row of carsRows) {
    const { Horsepower, Weight_in_lbs, Miles_per_Gallon } = row;
    if (isNumber(Horsepower) && isNumber(Weight_in_lbs) && isNumber(Miles_per_Gallon)) {
      table.features.push([Horsepower, Weight_in_lbs]);
      table.targets.push(Miles_per_Gallon);
    }
  }
  return table;
}

function penguinsTable(): Table {
  const table: Table = { features: [], targets: [] };
  for (const row of penguinRows) {
    const bill = row['Beak Length (mm)'];
    const flipper = row['Flipper Length (mm)'];
    const species = PENGUIN_SPECIES.indexOf(row.Species as (typeof PENGUIN_SPECIES)[number]);
    if (isNumber(bill) && isNumber(flipper) && species >= 0) {
      table.features.push([bill, flipper]);
      table.targets.push(species);
    }
  }
  return table;
}

/** Mean and (population) standard deviation of column `column` of `rows`. */
function columnStats(rows: readonly number[][], column: number): { mean: number; std: number } {
  let sum = 0;
  for (const row of rows) sum += row[column] as number;
  const mean = sum / rows.length;
  let squares = 0;
  for (const row of rows) squares += ((row[column] as number) - mean) ** 2;
  const std = Math.sqrt(squares / rows.length);
  return { mean, std: std > 0 ? std : 1 };
}

/** The rows to use: all of them, or a seeded random subset of `n` in their original order. */
function chooseRows(total: number, n: number | undefined, seed: number): number[] {
  const wanted = n === undefined || !Number.isFinite(n) ? total : Math.max(1, Math.round(n));
  if (wanted >= total) return Array.from({ length: total }, (_, i) => i);
  const order = permutation(total, new Rng(seed));
  return Array.from(order.subarray(0, wanted)).sort((a, b) => a - b);
}

function buildDataset(
  table: Table,
  meta: Pick<Dataset, 'id' | 'name' | 'task' | 'classes' | 'source' | 'featureNames' | 'targetName'>,
  options: RealDatasetOptions,
): Dataset {
  const inputSize = table.features[0]?.length ?? 0;
  const rows = chooseRows(table.targets.length, options.n, options.seed ?? 0);
  const featureStats = Array.from({ length: inputSize }, (_, c) => columnStats(table.features, c));
  const targetStats =
    meta.task === 'regression'
      ? columnStats(
          table.targets.map((t) => [t]),
          0,
        )
      : { mean: 0, std: 1 };
  const x = new Float64Array(rows.length * inputSize);
  const y = new Float64Array(rows.length);
  rows.forEach((row, s) => {
    const features = table.features[row] as number[];
    featureStats.forEach(({ mean, std }, c) => {
      x[s * inputSize + c] = ((features[c] as number) - mean) / std;
    });
    y[s] = ((table.targets[row] as number) - targetStats.mean) / targetStats.std;
  });
  return { ...meta, n: rows.length, inputSize, targetSize: 1, x, y };
}

/** Number of usable rows of a real dataset (its largest N). */
export function realDatasetRows(id: RealDatasetId): number {
  return (id === 'cars' ? carsTable() : penguinsTable()).targets.length;
}

export function loadRealDataset(id: RealDatasetId, options: RealDatasetOptions = {}): Dataset {
  if (id === 'cars') {
    return buildDataset(
      carsTable(),
      {
        id: 'cars',
        name: 'Cars: fuel economy',
        task: 'regression',
        classes: 0,
        source: CARS_SOURCE,
        featureNames: ['Horsepower (standardised)', 'Weight in lbs (standardised)'],
        targetName: 'Miles per gallon (standardised)',
      },
      options,
    );
  }
  return buildDataset(
    penguinsTable(),
    {
      id: 'penguins',
      name: 'Palmer penguins',
      task: 'classification',
      classes: PENGUIN_SPECIES.length,
      source: PENGUINS_SOURCE,
      featureNames: ['Bill length (standardised)', 'Flipper length (standardised)'],
      targetName: 'species',
    },
    options,
  );
}
