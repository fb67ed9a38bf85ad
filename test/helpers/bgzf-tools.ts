/**
 * BGZF test files and oracles: the real bgzip and samtools binaries, and a tiny BGZF writer with
 * a chosen block size (bgzip always cuts 64 KiB blocks) so that ranges cross many block edges.
 * The writer follows the SAM/BAM spec section 4.1 and is checked against `bgzip -t` and `bgzip -r`.
 * Nothing here imports server code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

let tools: string | null | undefined;

/** null when bgzip and samtools both answer on PATH, else what is missing. */
export function missingBgzfTools(): string | null {
  if (tools === undefined) {
    const missing: string[] = [];
    if (spawnSync('bgzip', ['--help'], { encoding: 'utf8' }).error) missing.push('bgzip (Debian package tabix)');
    if (spawnSync('samtools', ['--version'], { encoding: 'utf8' }).status !== 0) missing.push('samtools');
    tools = missing.length === 0 ? null : `${missing.join(' and ')} not installed`;
  }
  return tools;
}

/** `bgzip -c src > dest`; with index, `bgzip -i` also writes dest.gzi itself. */
export function bgzip(src: string, dest: string, options: { index?: boolean } = {}): string {
  const args = options.index ? ['-c', '-i', '-I', `${dest}.gzi`, src] : ['-c', src];
  writeFileSync(dest, execFileSync('bgzip', args, { maxBuffer: 1 << 30 }));
  return dest;
}

/** A standard BGZF block holding `data` (at most 64 KiB), header with the BC subfield, CRC32 and ISIZE. */
export function bgzfBlock(data: Buffer): Buffer {
  const payload = deflateRawSync(data, { level: 6 });
  const size = 18 + payload.length + 8;
  if (size > 0x10000) throw new Error(`a block of ${data.length} bytes compresses to ${size} bytes, too big for BGZF`);
  const header = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
  header.writeUInt16LE(size - 1, 16);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, payload, trailer]);
}

/** The empty block bgzip ends every file with. */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/** BGZF with blocks of `blockBytes` uncompressed bytes; bgzip -t must accept it. */
export function bgzipSmallBlocks(src: string, dest: string, blockBytes: number): string {
  const data = readFileSync(src);
  const blocks: Buffer[] = [];
  for (let at = 0; at < data.length; at += blockBytes) blocks.push(bgzfBlock(data.subarray(at, at + blockBytes)));
  blocks.push(BGZF_EOF);
  writeFileSync(dest, Buffer.concat(blocks));
  execFileSync('bgzip', ['-t', dest], { stdio: ['ignore', 'ignore', 'pipe'] });
  return dest;
}

/** The .gzi `bgzip -r` writes for a copy of a BGZF file. */
export function bgzipReindex(gz: string, dir: string): Buffer {
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, `reindex-${basename(gz)}`);
  copyFileSync(gz, copy);
  execFileSync('bgzip', ['-r', copy], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(`${copy}.gzi`);
}
