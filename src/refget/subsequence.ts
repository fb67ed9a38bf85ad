/**
 * Which bases a refget `GET /sequence/{id}` asks for, and the status refget v2 and its compliance
 * suite give each bad request (pure, so every rule is tested alone). A Range starting at or past the
 * end is 416 with `Content-Range: bytes *\/LENGTH` (RFC 9110, the suite; the spec's text said 400).
 */

export type Subsequence =
  /** Bases [start, end); `partial` when a Range header chose them (answered 206). */
  | { kind: 'bases'; start: number; end: number; partial: boolean; byQuery: boolean }
  | { kind: 'bad-request'; detail: string }
  | { kind: 'range-not-satisfiable'; detail: string }
  | { kind: 'not-implemented'; detail: string };

export interface SubsequenceRequest {
  start?: string;
  end?: string;
  range?: string;
}

/** start and end are "32-bit unsigned integers" in the specification. */
const maxCoordinate = 2 ** 32 - 1;

export function subsequence({ start, end, range }: SubsequenceRequest, length: number): Subsequence {
  if (range !== undefined) {
    if (start !== undefined || end !== undefined) {
      return { kind: 'bad-request', detail: 'give either a Range header or start/end query parameters, not both' };
    }
    return byRange(range, length);
  }
  if (start === undefined && end === undefined) return { kind: 'bases', start: 0, end: length, partial: false, byQuery: false };
  const s = start === undefined ? 0 : coordinate(start);
  const e = end === undefined ? length : coordinate(end);
  if (s === undefined) return { kind: 'bad-request', detail: `start=${start} is not a whole number from 0 to ${maxCoordinate}` };
  if (e === undefined) return { kind: 'bad-request', detail: `end=${end} is not a whole number from 0 to ${maxCoordinate}` };
  if (start !== undefined && s >= length) {
    return { kind: 'range-not-satisfiable', detail: `start=${s} is not inside the sequence (length ${length}; start is 0-based)` };
  }
  if (e > length) return { kind: 'range-not-satisfiable', detail: `end=${e} is past the end of the sequence (length ${length})` };
  if (s > e) {
    return {
      kind: 'not-implemented',
      detail: `start=${s} is greater than end=${e}, which asks for a circular sequence; this server does not support circular sequences`,
    };
  }
  return { kind: 'bases', start: s, end: e, partial: false, byQuery: true };
}

/** One `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; inclusive, 0-based. */
const singleRange = /^bytes=(?:(\d+)-(\d*)|-(\d+))$/;

function byRange(header: string, length: number): Subsequence {
  const m = singleRange.exec(header.trim());
  if (!m) return { kind: 'bad-request', detail: `Range: ${header.slice(0, 100)} is not one range of the form bytes=first-last` };
  const [, first, last, suffix] = m;
  if (suffix !== undefined) {
    const n = Number(suffix);
    if (n === 0 || length === 0) return { kind: 'range-not-satisfiable', detail: `Range: ${header} selects no bases` };
    return { kind: 'bases', start: Math.max(0, length - n), end: length, partial: true, byQuery: false };
  }
  const from = Number(first);
  const to = last === '' ? length - 1 : Number(last);
  if (from > to) return { kind: 'range-not-satisfiable', detail: `Range: ${header} has its first byte after its last` };
  if (from >= length)
    return { kind: 'range-not-satisfiable', detail: `Range: ${header} starts at or past the end of the sequence (length ${length}; bytes are 0-based)` };
  return { kind: 'bases', start: from, end: Math.min(to + 1, length), partial: true, byQuery: false };
}

function coordinate(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= maxCoordinate ? n : undefined;
}
