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

/** File bytes [fileStart, fileEnd) of bases [start, end) when they are contiguous. */
export function contiguousSpan(layout: LineLayout, start: number, end: number): [fileStart: number, fileEnd: number] {
  const fileStart = baseOffset(layout, start);
  return [fileStart, fileStart + (end - start)];
}

/**
 * Calls visit(fileStart, fileEnd) for each line piece of bases [start, end), in order.
 * Pieces never include line terminators.
 */
export function forEachLinePiece(
  layout: LineLayout,
  start: number,
  end: number,
  visit: (fileStart: number, fileEnd: number) => void,
): void {
  if (layout.lineBases === layout.lineBytes) {
    if (end > start) visit(layout.offset + start, layout.offset + end);
    return;
  }
  let i = start;
  while (i < end) {
    const take = Math.min(layout.lineBases - (i % layout.lineBases), end - i);
    const fileStart = baseOffset(layout, i);
    visit(fileStart, fileStart + take);
    i += take;
  }
}
