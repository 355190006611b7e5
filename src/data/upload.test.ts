import { describe, expect, it } from 'vitest';
import { MAX_TOTAL_UNITS } from '../engine/gpu/choose-layout';
import { layerWidths, validateModel } from '../engine/model';
import { MAX_HIDDEN_LAYERS, MAX_HIDDEN_WIDTH } from '../settings/settings';
import { defaultModelFor } from './catalog';
import { type CsvResult, MAX_UPLOAD_CLASSES, parseCsvDataset } from './upload';

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

/** Mean and population standard deviation of column `c` of a row-major matrix. */
function columnMoments(values: Float64Array, stride: number, c: number) {
  const n = values.length / stride;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += values[r * stride + c] as number;
  const mean = sum / n;
  let squares = 0;
  for (let r = 0; r < n; r++) squares += ((values[r * stride + c] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

describe('parseCsvDataset: RFC 4180 quoting', () => {
  it('a quoted header with a comma is one column', () => {
    const text = '"name, first",age,"score"\n1,20,0.5\n2,30,1.5\n3,25,2.5\n4,40,3.5\n';
    const { dataset } = ok(parseCsvDataset(text));
    expect(dataset.featureNames).toEqual(['name, first', 'age']);
    expect(dataset.targetName).toBe('score');
    expect(dataset.n).toBe(4);
  });

  it('doubled quotes and a line break inside a quoted header', () => {
    const text = 'x,"the ""best"" y\r\n(cm)"\r\n1,2.5\r\n2,3.5\r\n3,1.5\r\n4,0.5\r\n';
    const { dataset } = ok(parseCsvDataset(text, { standardize: false }));
    expect(dataset.targetName).toBe('the "best" y\r\n(cm)');
    expect(Array.from(dataset.y)).toEqual([2.5, 3.5, 1.5, 0.5]);
  });

  it('quoted numbers and a semicolon inside a quoted header do not change the separator', () => {
    const text = '"a;b",y\n"1",2\n"3",4\n5,6\n7,8\n';
    const result = ok(parseCsvDataset(text));
    expect(result.delimiter).toBe(',');
    expect(result.dataset.featureNames).toEqual(['a;b']);
  });

  it('a quote that is never closed is named as the cause', () => {
    expect(errorOf(parseCsvDataset('x,y\n1,2\n"3,4\n5,6\n7,8\n9,10\n'))).toMatch(
      /Row 3, column 'x': '3,4 5,6 7,8 9,10' runs over several lines: a quote \("\) is probably never closed/,
    );
    expect(errorOf(parseCsvDataset('x,y\n1,2\n3,"4\n5,6\n7,8\n9,10\n'))).toMatch(
      /Row 3, column 'y': .* runs over several lines: a quote \("\) is probably never closed/,
    );
    expect(errorOf(parseCsvDataset('"x,y\n1,2\n3,4\n5,6\n7,8\n'))).toMatch(
      /first row opens a quote .* never closed/,
    );
  });
});

describe('parseCsvDataset: separators and decimal commas', () => {
  it('semicolons with decimal commas are read as numbers', () => {
    const text = 'x1;x2;y\n-0,3272;1;0,5\n1,25;2;1,5\n2,5e1;3;2\n,5;4;-3,75\n';
    const result = ok(parseCsvDataset(text, { standardize: false }));
    expect(result.delimiter).toBe(';');
    expect(result.decimalComma).toBe(true);
    expect(Array.from(result.dataset.x)).toEqual([-0.3272, 1, 1.25, 2, 25, 3, 0.5, 4]);
    expect(Array.from(result.dataset.y)).toEqual([0.5, 1.5, 2, -3.75]);
  });

  it('tabs with decimal commas, and a header with commas in its names', () => {
    const text = 'Temp, °C\tDruck, hPa\n-0,3272\t1013,2\n1,5\t1009,8\n2,25\t1001\n3\t998,5\n';
    const result = ok(parseCsvDataset(text, { standardize: false }));
    expect(result.delimiter).toBe('\t');
    expect(result.dataset.featureNames).toEqual(['Temp, °C']);
    expect(Array.from(result.dataset.y)).toEqual([1013.2, 1009.8, 1001, 998.5]);
  });

  it('a plain comma-separated file reports no decimal comma', () => {
    const result = ok(parseCsvDataset(REGRESSION));
    expect(result.delimiter).toBe(',');
    expect(result.decimalComma).toBe(false);
  });

  it('a quoted decimal comma in a comma-separated file is named as the cause', () => {
    const text = 'x,y\n"-0,3272",1\n"1,5",2\n"2,5",3\n"3,5",4\n';
    expect(errorOf(parseCsvDataset(text))).toMatch(
      /'-0,3272' is not a number: it has a decimal comma, but commas already separate the columns/,
    );
  });

  it('unquoted decimal commas in a comma-separated file: the ragged row names them', () => {
    const text = 'x,y\n1,0\n-0,3272,1,5\n2,1\n3,0\n';
    expect(errorOf(parseCsvDataset(text))).toMatch(/Row 3 has 4 values.*decimal commas \(0,5\)/);
  });
});

describe('parseCsvDataset: files that are not text', () => {
  it('NUL bytes (binary data, or UTF-16)', () => {
    expect(errorOf(parseCsvDataset('PK\u0003\u0004\u0014\u0000\u0006\u0000x,y\n1,2\n'))).toMatch(
      /not text: it contains NUL bytes/,
    );
    const utf16 = new TextDecoder('utf-8').decode(
      new Uint16Array([...'x,y\n1,2\n3,4\n'].map((c) => c.charCodeAt(0))),
    );
    expect(errorOf(parseCsvDataset(utf16))).toMatch(/not text.*UTF-16/);
  });

  it('random bytes decoded as UTF-8', () => {
    const bytes = new Uint8Array(4096);
    let state = 12345;
    for (let i = 0; i < bytes.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      bytes[i] = state >>> 24 || 1; // no NUL: the share of unreadable characters decides
    }
    const text = new TextDecoder('utf-8').decode(bytes);
    expect(text.includes('\u0000')).toBe(false);
    expect(errorOf(parseCsvDataset(text))).toMatch(
      /not text: \d+ % of its characters are control characters/,
    );
  });

  it('a Latin-1 file read as UTF-8 (a few U+FFFD in the names) is still read', () => {
    const text = 'Temp\uFFFDrature,Gr\uFFFD\uFFFDe\n1,2.5\n2,3.5\n3,1.5\n4,0.5\n';
    expect(ok(parseCsvDataset(text)).dataset.featureNames).toEqual(['Temp\uFFFDrature']);
  });
});

describe('parseCsvDataset: extreme magnitudes', () => {
  it('values around 1e300 are standardised to mean 0, std 1, not flattened to 0', () => {
    const text = 'x,y\n1e300,2e300\n2e300,1e300\n3e300,5e300\n4e300,3e300\n-1e300,0\n';
    const { dataset, scaling } = ok(parseCsvDataset(text));
    expect(dataset.task).toBe('regression');
    for (const [values, stride] of [
      [dataset.x, 1],
      [dataset.y, 1],
    ] as const) {
      const { mean, std } = columnMoments(values, stride, 0);
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(std).toBeCloseTo(1, 12);
    }
    // The scaling maps back to the file's units (to double precision).
    const back =
      (dataset.x[2] as number) * (scaling.featureStd[0] as number) + (scaling.featureMean[0] as number);
    expect(back / 3e300).toBeCloseTo(1, 12);
    // Targets 2, 1, 5, 3, 0 (× 1e300): mean 2.2, variance 2.96.
    expect(scaling.targetMean / 2.2e300).toBeCloseTo(1, 12);
    expect(scaling.targetStd / (Math.sqrt(2.96) * 1e300)).toBeCloseTo(1, 12);
  });

  it('values around 1e-300 keep their spread (their squares underflow to 0)', () => {
    const text = 'x,y\n1e-300,0.5\n2e-300,1.5\n3e-300,2.5\n4e-300,3.5\n';
    const { dataset } = ok(parseCsvDataset(text));
    const { mean, std } = columnMoments(dataset.x, 1, 0);
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(std).toBeCloseTo(1, 12);
  });

  it('ordinary values standardise exactly as before: mean 0, std 1', () => {
    const { dataset, scaling } = ok(parseCsvDataset(REGRESSION));
    expect(scaling.featureMean[0]).toBe((50 + 80 + 120 + 65) / 4);
    for (let c = 0; c < 2; c++) {
      const { mean, std } = columnMoments(dataset.x, 2, c);
      expect(Math.abs(mean)).toBeLessThan(1e-15);
      expect(std).toBeCloseTo(1, 14);
    }
  });

  it('values near ±1.8e308 (the largest doubles) are standardised too', () => {
    const text = 'x,y\n1.7e308,1\n-1.7e308,2\n1e308,1\n-1e308,2\n';
    const { dataset, scaling } = ok(parseCsvDataset(text));
    expect(columnMoments(dataset.x, 1, 0).std).toBeCloseTo(1, 12);
    expect(Number.isFinite(scaling.featureStd[0])).toBe(true);
  });

  it('a spread of subnormal numbers, whose std underflows to 0, is refused with a clear message', () => {
    const text = 'x,y\n5e-324,1\n1e-323,2\n5e-324,1\n1e-323,2\n';
    expect(errorOf(parseCsvDataset(text))).toMatch(
      /Column 'x': values as small as 9.88e-324 are too extreme to standardise/,
    );
  });

  it('whole numbers beyond 2^53 are not taken for class labels', () => {
    const { target } = ok(parseCsvDataset('x,y\n1,1e300\n2,2e300\n3,1e300\n4,2e300\n'));
    expect(target.task).toBe('regression');
    expect(target.alternativeBlocked).toMatch(/not all whole numbers/);
  });

  it('huge values are refused when standardisation is off', () => {
    const text = 'x,y\n1e300,1.5\n2e300,2.5\n3e300,1.5\n4e300,0.5\n';
    expect(errorOf(parseCsvDataset(text, { standardize: false }))).toMatch(
      /Values as large as 4.00e\+300 cannot be trained on unscaled/,
    );
  });
});

describe('parseCsvDataset: how the target was read', () => {
  const labelled = (labels: number[]) =>
    `x,label\n${labels.map((label, i) => `${(i * 0.37) % 5},${label}`).join('\n')}\n`;
  const fiftyClasses = labelled(Array.from({ length: 200 }, (_, i) => i % 50));

  it('few whole numbers: read as classes, and the switch offers a number to predict', () => {
    const { target } = ok(parseCsvDataset('a,b,label\n0,1,3\n1,0,1\n2,2,2\n3,1,3\n4,0,1\n'));
    expect(target).toEqual({
      task: 'classification',
      decidedBy: 'guess',
      distinctValues: 3,
      wholeNumbers: true,
      reason: '3 distinct whole numbers (1, 2, 3): read as classes.',
      alternative: 'regression',
      alternativeBlocked: null,
    });
  });

  it('50 whole numbers: read as a number to predict, said so, and can be switched to 50 classes', () => {
    const guessed = ok(parseCsvDataset(fiftyClasses));
    expect(guessed.dataset.task).toBe('regression');
    expect(guessed.target).toMatchObject({
      task: 'regression',
      decidedBy: 'guess',
      distinctValues: 50,
      wholeNumbers: true,
      alternative: 'classification',
      alternativeBlocked: null,
    });
    expect(guessed.target.reason).toBe(
      '50 distinct whole numbers: read as a number to predict (classes are guessed only for at most 10 whole numbers).',
    );

    const switched = ok(parseCsvDataset(fiftyClasses, { task: guessed.target.alternative }));
    expect(switched.dataset.task).toBe('classification');
    expect(switched.dataset.classes).toBe(50);
    expect(switched.classLabels).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(switched.target).toMatchObject({
      task: 'classification',
      decidedBy: 'option',
      alternative: 'regression',
    });
    expect(switched.target.reason).toBe('50 distinct whole numbers: read as classes, as chosen.');
  });

  it('fractional targets cannot be classes: the switch is blocked with the reason', () => {
    const { target } = ok(parseCsvDataset(REGRESSION));
    expect(target.task).toBe('regression');
    expect(target.wholeNumbers).toBe(false);
    expect(target.reason).toBe('4 distinct values, not all whole numbers: read as a number to predict.');
    expect(target.alternativeBlocked).toMatch(/not all whole numbers \(such as 100.5\)/);
  });

  it(`more than ${MAX_UPLOAD_CLASSES} whole numbers cannot be classes`, () => {
    const many = labelled(Array.from({ length: 200 }, (_, i) => i % (MAX_UPLOAD_CLASSES + 1)));
    const { target } = ok(parseCsvDataset(many));
    expect(target.alternativeBlocked).toBe(
      `${MAX_UPLOAD_CLASSES + 1} distinct whole numbers, but at most ${MAX_UPLOAD_CLASSES} classes are supported`,
    );
    expect(errorOf(parseCsvDataset(many, { task: 'classification' }))).toMatch(/cannot be read as classes/);
    const most = labelled(Array.from({ length: 200 }, (_, i) => i % MAX_UPLOAD_CLASSES));
    expect(ok(parseCsvDataset(most, { task: 'classification' })).dataset.classes).toBe(MAX_UPLOAD_CLASSES);
  });

  it('a maxClasses above the cap is capped', () => {
    const many = labelled(Array.from({ length: 200 }, (_, i) => i % (MAX_UPLOAD_CLASSES + 1)));
    expect(ok(parseCsvDataset(many, { maxClasses: 1000 })).dataset.task).toBe('regression');
  });

  it(`the largest model the UI allows with ${MAX_UPLOAD_CLASSES} classes fits the GPU engine`, () => {
    const most = labelled(Array.from({ length: 200 }, (_, i) => i % MAX_UPLOAD_CLASSES));
    const { dataset } = ok(parseCsvDataset(most, { task: 'classification' }));
    // The widest input an upload may have (16 columns) with the largest hidden layers.
    const model = {
      ...defaultModelFor(dataset, Array(MAX_HIDDEN_LAYERS).fill(MAX_HIDDEN_WIDTH)),
      inputSize: 16,
    };
    expect(validateModel(model)).toBeNull();
    expect(model.outputSize).toBe(MAX_UPLOAD_CLASSES);
    const units = layerWidths(model).reduce((a, b) => a + b, 0);
    expect(units).toBeLessThanOrEqual(MAX_TOTAL_UNITS);
  });
});
