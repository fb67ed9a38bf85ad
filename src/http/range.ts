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

/**
 * Validators of a static representation (RFC 9110 §8.8), fixed at startup: a strong entity-tag
 * and a modification time in whole seconds (HTTP-dates have no finer precision).
 */
export interface Validators {
  /** A strong entity-tag, quotes included: "…". */
  etag: string;
  /** Last-Modified, in milliseconds since the epoch, truncated to whole seconds. */
  lastModified: number;
  /**
   * Whether Last-Modified may serve as a strong validator (§8.8.2.2): the file was last changed
   * at least a second before the server took its validators. Only then may an If-Range date match.
   */
  lastModifiedStrong: boolean;
}

/** What the conditional headers of a GET or HEAD ask for (RFC 9110 §13.2.2, in its order). */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

/** The entity-tags of an If-Match / If-None-Match list, or '*'. Entity-tags may hold commas. */
function entityTags(header: string): string[] | '*' {
  if (header.trim() === '*') return '*';
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** An HTTP-date in milliseconds, or undefined when it does not parse. */
function httpDate(value: string): number | undefined {
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since for a GET or
 * HEAD of a representation that exists. 'failed' is a 412, 'not-modified' a 304.
 */
export function evaluatePreconditions(headers: Record<string, string | string[] | undefined>, v: Validators): Precondition {
  const ifMatch = one(headers['if-match']);
  if (ifMatch !== undefined) {
    const tags = entityTags(ifMatch);
    // Strong comparison: a weak tag never matches.
    if (tags !== '*' && !tags.some((t) => t === v.etag)) return 'failed';
  } else {
    const since = one(headers['if-unmodified-since']);
    const date = since === undefined ? undefined : httpDate(since);
    if (date !== undefined && v.lastModified > date) return 'failed';
  }
  const ifNoneMatch = one(headers['if-none-match']);
  if (ifNoneMatch !== undefined) {
    const tags = entityTags(ifNoneMatch);
    // Weak comparison: W/"x" matches "x".
    if (tags === '*' || tags.some((t) => opaque(t) === v.etag)) return 'not-modified';
  } else {
    const since = one(headers['if-modified-since']);
    const date = since === undefined ? undefined : httpDate(since);
    if (date !== undefined && v.lastModified <= date) return 'not-modified';
  }
  return 'proceed';
}

/**
 * If-Range (RFC 9110 §13.1.5): whether the Range header applies. Without If-Range it does; with
 * an entity-tag it does when that tag strongly matches; with a date, when the date is exactly
 * Last-Modified and Last-Modified is strong. Anything else (a weak tag, a date that does not
 * parse) means the full representation (200).
 */
export function rangeApplies(ifRange: string | string[] | undefined, v: Validators): boolean {
  const value = one(ifRange)?.trim();
  if (value === undefined) return true;
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag;
  const date = httpDate(value);
  return date !== undefined && v.lastModifiedStrong && date === v.lastModified;
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
