/**
 * Where bases live in a file, as in htslib's faidx.c: base i of a sequence sits at
 * offset + (i / lineBases) * lineBytes + i % lineBases. Raw files are the case
 * lineBases === lineBytes, where every range is one contiguous span.
 */
export interface LineLayout {
  /** File offset of the first base. */
  offset: number;
  /** Bases per full line. */
  lineBases: number;
  /** Bytes per full line, line terminator included. */
  lineBytes: number;
}

export function baseOffset(layout: LineLayout, i: number): number {
  const line = Math.floor(i / layout.lineBases);
  return layout.offset + line * layout.lineBytes + (i - line * layout.lineBases);
}

/** True when bases [start, end) are one run of bytes in the file (no line break inside). */
export function isContiguous(layout: LineLayout, start: number, end: number): boolean {
  if (end - start <= 1 || layout.lineBases === layout.lineBytes) return true;
  return Math.floor(start / layout.lineBases) === Math.floor((end - 1) / layout.lineBases);
}

/** File bytes [fileStart, fileEnd) from base start to just after base end-1, terminators included. */
export function fileSpan(layout: LineLayout, start: number, end: number): [fileStart: number, fileEnd: number] {
  return [baseOffset(layout, start), baseOffset(layout, end - 1) + 1];
}

/**
 * Squeezes the line terminators out of `bytes`, which holds fileSpan(start, end), in place,
 * and returns the view of its end - start bases. Why one bulk copy then copyWithin per line:
 * BENCHMARKS.md#code-choices-and-their-measurements.
 */
export function dropLineEnds(bytes: Buffer, layout: LineLayout, start: number, end: number): Buffer {
  const terminator = layout.lineBytes - layout.lineBases;
  let to = 0;
  let from = 0;
  for (let i = start; i < end;) {
    const take = Math.min(layout.lineBases - (i % layout.lineBases), end - i);
    if (from !== to) bytes.copyWithin(to, from, from + take);
    to += take;
    from += take + terminator;
    i += take;
  }
  return bytes.subarray(0, to);
}
