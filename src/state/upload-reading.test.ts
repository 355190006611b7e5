import { describe, expect, it } from 'vitest';
import { parseCsvDataset } from '../data/upload';
import { describeUpload } from './session';

function read(text: string) {
  const result = parseCsvDataset(text, { name: 'test.csv' });
  if ('error' in result) throw new Error(result.error);
  return describeUpload(result);
}

describe('what the page says about an uploaded file', () => {
  it('names the separator, decimal commas and how the target was read, and offers the other reading', () => {
    const rows = ['a;b;count'];
    for (let i = 0; i < 100; i++) rows.push(`${i},5;${i % 7},25;${i % 50}`);
    const reading = read(rows.join('\n'));
    expect(reading.summary).toContain('Columns separated by semicolons, numbers with decimal commas.');
    expect(reading.summary).toContain('50 distinct whole numbers: read as a number to predict');
    expect(reading.alternative).toBe('classification');
    expect(reading.switchBlocked).toBeNull();
  });

  it('offers no switch to classes for fractional targets, and says why', () => {
    const rows = ['x,y'];
    for (let i = 0; i < 20; i++) rows.push(`${i},${i / 3}`);
    const reading = read(rows.join('\n'));
    expect(reading.summary).toContain('Columns separated by commas.');
    expect(reading.alternative).toBe('classification');
    expect(reading.switchBlocked).not.toBeNull();
  });
});
