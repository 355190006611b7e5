/**
 * A whole number with thousands separators, as `toLocaleString('en-US')` writes it
 * (20000 → "20,000"). Written out because `toLocaleString` with a locale builds an ICU number
 * formatter on every call: a dozen of them cost about 20 ms of the page's first render.
 */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded));
  let grouped = '';
  for (let end = digits.length; end > 0; end -= 3) {
    const start = Math.max(0, end - 3);
    grouped = grouped ? `${digits.slice(start, end)},${grouped}` : digits.slice(start, end);
  }
  return rounded < 0 ? `-${grouped}` : grouped;
}
