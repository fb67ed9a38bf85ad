/**
 * The HTTP Range header (RFC 9110 §14) for one range of bytes over a representation of
 * `size` bytes. Multiple ranges, other units and malformed headers are ignored (the full
 * representation is sent), which the RFC allows.
 */
export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'unsatisfiable' }
  /** Bytes [start, end), end exclusive. */
  | { kind: 'range'; start: number; end: number };

const single = /^bytes=(\d*)-(\d*)$/i;

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const m = single.exec(header.replace(/\s+/g, ''));
  if (!m) return { kind: 'none' };
  const [, first, last] = m as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    // bytes=-n: the last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - n), end: size };
  }
  // Digits past 2^53 are still a position, just one past any end: compare as numbers anyway.
  const start = Number(first);
  const end = last === '' ? size : Number(last) + 1;
  if (last !== '' && end - 1 < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end: Math.min(end, size) };
}

export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end - 1}/${size}`;
}
