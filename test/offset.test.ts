import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseOffset, dropLineEnds, fileSpan, isContiguous, type LineLayout } from '../src/formats/fasta/offset.js';
import { mulberry32, randomInt } from '../src/core/mulberry32.js';

/**
 * The oracle: lay the bases out as a FASTA body would (lines of lineBases, each followed by
 * its terminator) and find things by walking that text, not by arithmetic.
 */
function layOut(bases: string, lineBases: number, terminator: string, offset: number) {
  let text = 'H'.repeat(offset);
  const at: number[] = [];
  for (let i = 0; i < bases.length; i++) {
    at.push(text.length);
    text += bases[i];
    if ((i + 1) % lineBases === 0 || i === bases.length - 1) text += terminator;
  }
  return { text, at };
}

describe('line layout arithmetic', () => {
  const random = mulberry32(9);
  for (const [lineBases, terminator] of [
    [1, '\n'],
    [1, '\r\n'],
    [60, '\n'],
    [61, '\r\n'],
    [80, '\n'],
    [1000, ''],
  ] as const) {
    it(`lineBases ${lineBases}, terminator ${JSON.stringify(terminator)}`, () => {
      const length = 1 + randomInt(random, 2500);
      const bases = Array.from({ length }, () => 'ACGTNacgtn'[randomInt(random, 10)]).join('');
      const offset = randomInt(random, 40);
      const layout: LineLayout = { offset, lineBases, lineBytes: lineBases + terminator.length };
      const { text, at } = layOut(bases, lineBases, terminator, offset);
      for (let i = 0; i < length; i++) assert.equal(baseOffset(layout, i), at[i], `base ${i}`);
      for (let k = 0; k < 300; k++) {
        const start = randomInt(random, length);
        const end = start + 1 + randomInt(random, length - start);
        const [fileStart, fileEnd] = fileSpan(layout, start, end);
        const span = text.slice(fileStart, fileEnd);
        assert.equal(isContiguous(layout, start, end), !/[\r\n]/.test(span), `contiguous [${start}, ${end})`);
        const joined = dropLineEnds(Buffer.from(span, 'latin1'), layout, start, end);
        assert.equal(joined.toString('latin1'), bases.slice(start, end), `joined [${start}, ${end})`);
      }
    });
  }
});
