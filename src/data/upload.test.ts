import { describe, expect, it } from 'vitest';
import { type CsvResult, parseCsvDataset } from './upload';

function ok(result: CsvResult) {
  if ('error' in result) throw new Error(`expected a dataset, got: ${result.error}`);
  return result;
}

function errorOf(result: CsvResult): string {
  if (!('error' in result)) throw new Error('expected an error');
  return result.error;
}

const REGRESSION = 'size,rooms,price\n50,2,100.5\n80,3,180\n120,4,260.25\n65,2,150\n';

describe('parseCsvDataset: good files', () => {
  it('reads a header and numeric rows; the last column is the target (regression)', () => {
    const { dataset, scaling } = ok(parseCsvDataset(REGRESSION, { name: 'Houses' }));
    expect(dataset).toMatchObject({
      id: 'upload',
      name: 'Houses',
      task: 'regression',
      n: 4,
      inputSize: 2,
      targetSize: 1,
      classes: 0,
      featureNames: ['size', 'rooms'],
      targetName: 'price',
    });
    // Stored standardised; the scaling maps back to the file's units.
    expect(
      (dataset.x[0] as number) * (scaling.featureStd[0] as number) + (scaling.featureMean[0] as number),
    ).toBeCloseTo(50, 10);
    expect((dataset.y[1] as number) * scaling.targetStd + scaling.targetMean).toBeCloseTo(180, 10);
  });

  it('keeps raw values when asked not to standardise', () => {
    const { dataset } = ok(parseCsvDataset(REGRESSION, { standardize: false }));
    expect(Array.from(dataset.x.subarray(0, 2))).toEqual([50, 2]);
    expect(Array.from(dataset.y)).toEqual([100.5, 180, 260.25, 150]);
  });

  it('integer labels with few values mean classification; labels map to 0..k−1 in ascending order', () => {
    const text = 'a,b,label\n0,1,3\n1,0,1\n2,2,2\n3,1,3\n4,0,1\n';
    const { dataset, classLabels } = ok(parseCsvDataset(text));
    expect(dataset.task).toBe('classification');
    expect(dataset.classes).toBe(3);
    expect(classLabels).toEqual([1, 2, 3]);
    expect(Array.from(dataset.y)).toEqual([2, 0, 1, 2, 0]);
  });

  it('binary 0/1 labels give two classes', () => {
    const { dataset } = ok(parseCsvDataset('x,y\n0.1,0\n0.5,1\n0.9,1\n-0.3,0\n'));
    expect(dataset.classes).toBe(2);
    expect(Array.from(dataset.y)).toEqual([0, 1, 1, 0]);
  });

  it('accepts semicolons, tabs, CRLF, a BOM, quotes, blank lines and # comments', () => {
    for (const text of [
      'x;y\r\n1;2.5\r\n2;3.5\r\n3;1.5\r\n4;0.5\r\n',
      'x\ty\n1\t2.5\n2\t3.5\n\n3\t1.5\n4\t0.5\n',
      '\uFEFF"x","y"\n# measured values\n"1","2.5"\n2,3.5\n3,1.5\n4,0.5',
    ]) {
      const { dataset } = ok(parseCsvDataset(text));
      expect(dataset.n).toBe(4);
      expect(dataset.featureNames).toEqual(['x']);
      expect(dataset.targetName).toBe('y');
    }
  });

  it('a first row of numbers is data, not a header', () => {
    const { dataset } = ok(parseCsvDataset('1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,3.5\n'));
    expect(dataset.n).toBe(4);
    expect(dataset.featureNames).toEqual(['x1', 'x2']);
    expect(dataset.targetName).toBe('y');
  });

  it('the task can be forced', () => {
    const text = 'x,y\n1,0\n2,1\n3,2\n4,1\n';
    expect(ok(parseCsvDataset(text, { task: 'regression' })).dataset.task).toBe('regression');
    expect(ok(parseCsvDataset(text)).dataset.task).toBe('classification');
  });
});

describe('parseCsvDataset: clear errors, never a throw', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /empty/],
    ['only blank lines', '\n\n  \n', /empty/],
    ['a header without rows', 'x,y\n', /no data rows/],
    ['too few rows', 'x,y\n1,2\n3,4\n', /at least 4/],
    ['one column', 'x\n1\n2\n3\n4\n', /two columns/],
    ['a word in a cell', 'x,y\n1,2\n3,abc\n5,6\n7,8\n', /Row 3, column 'y': 'abc' is not a number/],
    ['an empty cell', 'x,y\n1,2\n,4\n5,6\n7,8\n', /Row 3, column 'x': is empty/],
    ['a ragged row', 'x,y\n1,2\n3,4,5\n5,6\n7,8\n', /Row 3 has 3 values, but the header has 2 columns/],
    ['NaN', 'x,y\n1,2\nNaN,4\n5,6\n7,8\n', /not a number/],
    ['Infinity', 'x,y\n1,2\nInfinity,4\n5,6\n7,8\n', /not a number/],
    ['an overflowing number', 'x,y\n1,2\n1e999,4\n5,6\n7,8\n', /not a number/],
    ['hex', 'x,y\n1,2\n0x1A,4\n5,6\n7,8\n', /not a number/],
    ['a constant target', 'x,y\n1,2\n3,2\n5,2\n7,2\n', /only one value/],
    ['forced classification of real-valued targets', 'x,y\n1,0.5\n3,2\n5,2\n7,2\n', /whole-number labels/],
  ];
  for (const [label, text, message] of cases) {
    it(label, () => {
      const options = label.startsWith('forced') ? { task: 'classification' as const } : {};
      expect(errorOf(parseCsvDataset(text, options))).toMatch(message);
    });
  }

  it('more than 20,000 rows', () => {
    const rows = Array.from({ length: 20_001 }, (_, i) => `${i},${i % 7}.5`);
    expect(errorOf(parseCsvDataset(`x,y\n${rows.join('\n')}`))).toMatch(/20,001 data rows; at most 20,000/);
    expect(ok(parseCsvDataset(`x,y\n${rows.slice(1).join('\n')}`)).dataset.n).toBe(20_000);
  });

  it('too many input columns', () => {
    const header = Array.from({ length: 20 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 20 }, (_, i) => i).join(',');
    expect(errorOf(parseCsvDataset(`${header}\n${row}\n${row}\n${row}\n${row}\n`))).toMatch(
      /19 input columns/,
    );
  });

  it('not text at all', () => {
    expect(errorOf(parseCsvDataset(undefined as unknown as string))).toMatch(/not text/);
    expect(errorOf(parseCsvDataset(42 as unknown as string))).toMatch(/not text/);
  });
});
