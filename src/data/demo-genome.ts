/** The bundled demo genome, generated on first start. */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../core/mulberry32.js';

/**
 * The bundled demo genome, too large to commit, so made on first start: the same bytes on
 * every machine (a seeded generator). It has a chromosome "11" long enough for
 * /chrom/11/base/5000000, N runs, soft-masked (lowercase) stretches, IUPAC codes, a
 * mitochondrion in a different line width, and a raw file.
 */
const files: Record<string, () => Buffer> = {
  'demo.fa': () =>
    Buffer.concat([
      fastaRecord('11 demo chromosome 11 (synthetic)', synthetic(6_000_000, 11), 60),
      fastaRecord('MT demo mitochondrion (synthetic)', synthetic(16_569, 26), 70),
      fastaRecord('chrUn_demo1', synthetic(1_234, 99), 60),
    ]),
  '22.raw': () => synthetic(1_000_000, 22),
};

/** Writes the demo genome into dir unless it is there; returns true when it wrote it. */
export function ensureDemoGenome(dir: string): boolean {
  if (Object.keys(files).every((name) => existsSync(join(dir, name)))) return false;
  mkdirSync(dir, { recursive: true });
  for (const [name, make] of Object.entries(files)) {
    const tmp = join(dir, `.${name}.tmp-${process.pid}`);
    writeFileSync(tmp, make());
    renameSync(tmp, join(dir, name));
  }
  return true;
}

function synthetic(length: number, seed: number): Buffer {
  const next = mulberry32(seed);
  const out = Buffer.allocUnsafe(length);
  const acgt = 'ACGT';
  const iupac = 'RYKMSWBDHV';
  for (let i = 0; i < length; i++) out[i] = acgt.charCodeAt(Math.floor(next() * 4));
  // Telomere-like N run at the start, an assembly gap in the middle.
  out.fill('N', 0, Math.min(length, 10_000) >> 1);
  if (length > 100_000) out.fill('N', Math.floor(length / 2), Math.floor(length / 2) + 50_000);
  // Soft-masked repeats: lowercase stretches.
  for (let at = 0; at < length; at += 2_000 + Math.floor(next() * 6_000)) {
    const end = Math.min(length, at + 100 + Math.floor(next() * 400));
    for (let i = at; i < end; i++) out[i] = out[i]! | 0x20;
  }
  for (let k = 0; k < length / 50_000; k++) out[Math.floor(next() * length)] = iupac.charCodeAt(Math.floor(next() * iupac.length));
  return out;
}

function fastaRecord(header: string, bases: Buffer, lineBases: number): Buffer {
  const lines = Math.ceil(bases.length / lineBases);
  const out = Buffer.allocUnsafe(header.length + 2 + bases.length + lines);
  let at = out.write(`>${header}\n`, 'latin1');
  for (let i = 0; i < bases.length; i += lineBases) {
    at += bases.copy(out, at, i, Math.min(bases.length, i + lineBases));
    out[at++] = 10;
  }
  return out.subarray(0, at);
}
