import { describe, expect, it } from 'vitest';
import { REAL_ROWS } from './catalog';
import { CARS_SOURCE, loadRealDataset, PENGUIN_SPECIES, PENGUINS_SOURCE, realDatasetRows } from './real';

function columnMeanStd(values: Float64Array, stride: number, column: number) {
  const n = values.length / stride;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += values[r * stride + column] as number;
  const mean = sum / n;
  let squares = 0;
  for (let r = 0; r < n; r++) squares += ((values[r * stride + column] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

describe('real datasets (vega-datasets)', () => {
  it('the catalog knows the usable row counts without loading the data', () => {
    expect(realDatasetRows('cars')).toBe(REAL_ROWS.cars);
    expect(realDatasetRows('penguins')).toBe(REAL_ROWS.penguins);
  });

  it('cars: horsepower and weight → miles per gallon, standardised, rows with gaps dropped', () => {
    const cars = loadRealDataset('cars');
    expect(cars.n).toBe(392); // 406 rows, 14 miss horsepower or mpg
    expect(cars.task).toBe('regression');
    expect(cars.inputSize).toBe(2);
    expect(cars.source).toBe(CARS_SOURCE);
    expect(cars.source).toMatch(/StatLib.*vega-datasets/);
    expect(cars.x.every(Number.isFinite) && cars.y.every(Number.isFinite)).toBe(true);
    for (const column of [0, 1]) {
      const { mean, std } = columnMeanStd(cars.x, 2, column);
      expect(mean).toBeCloseTo(0, 12);
      expect(std).toBeCloseTo(1, 12);
    }
    const target = columnMeanStd(cars.y, 1, 0);
    expect(target.mean).toBeCloseTo(0, 12);
    expect(target.std).toBeCloseTo(1, 12);
    // Heavier, stronger cars use more fuel: mpg falls with horsepower.
    let covariance = 0;
    for (let r = 0; r < cars.n; r++) covariance += (cars.x[2 * r] as number) * (cars.y[r] as number);
    expect(covariance / cars.n).toBeLessThan(-0.5);
  });

  it('penguins: bill and flipper length → three species, all present', () => {
    const penguins = loadRealDataset('penguins');
    expect(penguins.n).toBe(342);
    expect(penguins.task).toBe('classification');
    expect(penguins.classes).toBe(3);
    expect(penguins.source).toBe(PENGUINS_SOURCE);
    expect(penguins.source).toMatch(/Gorman.*Palmer/);
    const counts = [0, 0, 0];
    for (const label of penguins.y) counts[label] = (counts[label] as number) + 1;
    expect(counts).toEqual([151, 68, 123]); // Adelie, Chinstrap, Gentoo
    expect(PENGUIN_SPECIES).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  });

  it('n below the row count draws a seeded subset; above it gives every row', () => {
    const a = loadRealDataset('penguins', { n: 100, seed: 4 });
    const b = loadRealDataset('penguins', { n: 100, seed: 4 });
    const c = loadRealDataset('penguins', { n: 100, seed: 5 });
    expect(a.n).toBe(100);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    expect(new Set(a.y).size).toBe(3);
    expect(loadRealDataset('cars', { n: 10_000 }).n).toBe(392);
  });
});
