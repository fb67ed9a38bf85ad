/**
 * GA4GH refget sequence digests (refget v2, and the VRS "sha512t24u" computed identifier):
 * MD5 and truncated SHA-512 of the sequence normalised as refget says: line ends removed,
 * letters upper-cased, nothing else changed. The MD5 is also exactly SAM's @SQ M5.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { SequenceRecord } from '../data/sequence-record.js';
import type { BgzfFile } from '../formats/bgzf/bgzf-file.js';
import { BlockCache } from '../formats/bgzf/block-cache.js';
import { dropLineEnds, fileSpan } from '../formats/fasta/offset.js';
import { MappedFile } from '../store/mapped-file.js';
import { openReader } from '../store/sequence-reader.js';

export interface SequenceDigests {
  /** 32 lowercase hex digits. */
  md5: string;
  /** 'SQ.' + base64url of the first 24 bytes of SHA-512 (32 characters, never padded). */
  ga4gh: string;
}

/** Bases hashed per read: big enough for few syscalls, small enough that a chromosome never sits in memory. */
const CHUNK_BASES = 4 * 1024 * 1024;

/** Bytes of SHA-512 kept by ga4gh / TRUNC512 identifiers. */
const TRUNCATED_BYTES = 24;

/** Reads a record's bases from its file in chunks and hashes them; synchronous (meant for a worker or a CLI). */
export function computeDigests(record: SequenceRecord): SequenceDigests {
  // Spread to the end, so that a mapping opened for it is closed (the generator's finally).
  return [...fileDigests([record])][0]![1];
}

/**
 * The digests of the sequences of one file, in order. A .2bit or bgzipped file is mapped once
 * for all its sequences and decoded by the store's own readers (a .2bit holds hundreds of
 * sequences: a mapping each would be hundreds of mappings); a text file is read in chunks.
 */
export function* fileDigests(records: readonly SequenceRecord[]): Generator<[SequenceRecord, SequenceDigests]> {
  const first = records[0];
  if (first === undefined || (first.format !== '2bit' && first.format !== 'bgzf')) {
    for (const r of records) yield [r, textDigests(r)];
    return;
  }
  const file = MappedFile.open(first.file);
  try {
    const blockCache = new BlockCache(1 << 20);
    const bgzfFiles = new Map<string, BgzfFile>();
    for (const r of records) {
      const hash = new Hasher();
      if (r.length > 0) {
        const reader = openReader(r, file, blockCache, bgzfFiles);
        for (let start = 0; start < r.length; start += CHUNK_BASES) hash.update(reader.ownedBytes(start, Math.min(r.length, start + CHUNK_BASES)));
      }
      yield [r, hash.digests()];
    }
  } finally {
    file.close();
  }
}

/** MD5 and SHA-512 of bases fed in chunks, upper-cased as refget normalises them. */
class Hasher {
  private readonly md5 = createHash('md5');
  private readonly sha512 = createHash('sha512');

  /** Upper-cases `bases` in place, then hashes them. */
  update(bases: Buffer): void {
    upperCaseInPlace(bases);
    this.md5.update(bases);
    this.sha512.update(bases);
  }

  digests(): SequenceDigests {
    return { md5: this.md5.digest('hex'), ga4gh: `SQ.${this.sha512.digest().subarray(0, TRUNCATED_BYTES).toString('base64url')}` };
  }
}

/** A FASTA or raw record's bases read from its file in chunks (line ends dropped) and hashed. */
function textDigests(record: SequenceRecord): SequenceDigests {
  const hash = new Hasher();
  if (record.length > 0) {
    const fd = openSync(record.file, 'r');
    try {
      let buffer = Buffer.allocUnsafe(0);
      for (let start = 0; start < record.length; start += CHUNK_BASES) {
        const end = Math.min(record.length, start + CHUNK_BASES);
        const [fileStart, fileEnd] = fileSpan(record, start, end);
        // Spans differ by where line ends fall; grow once to the largest instead of allocating per chunk.
        if (buffer.length < fileEnd - fileStart) buffer = Buffer.allocUnsafe(fileEnd - fileStart);
        const span = buffer.subarray(0, fileEnd - fileStart);
        readFully(fd, span, fileStart, record);
        hash.update(dropLineEnds(span, record, start, end));
      }
    } finally {
      closeSync(fd);
    }
  }
  return hash.digests();
}

/** readSync may return less than asked; a short file means the index does not describe it. */
function readFully(fd: number, into: Buffer, position: number, record: SequenceRecord): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) {
      throw new Error(
        `${record.file} ends at byte ${position + done}, before the end of sequence "${record.name}"; its index is stale: rebuild it (samtools faidx ${record.file})`,
      );
    }
    done += n;
  }
}

/** ASCII a-z to A-Z only: refget leaves every other byte as it is. */
function upperCaseInPlace(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x61 && b <= 0x7a) bytes[i] = b - 0x20;
  }
  return bytes;
}

/** The same 24 bytes as a ga4gh identifier, as 48 lowercase hex digits (refget v1's TRUNC512). */
export function trunc512Of(ga4gh: string): string {
  return Buffer.from(ga4gh.slice(3), 'base64url').toString('hex');
}

export function ga4ghOfTrunc512(hex: string): string {
  return `SQ.${Buffer.from(hex, 'hex').toString('base64url')}`;
}

export type RefgetId = { algorithm: 'md5'; digest: string } | { algorithm: 'ga4gh'; digest: string };

const MD5 = /^(?:md5:)?([0-9a-f]{32})$/i;
const TRUNC512 = /^(?:trunc512:)?([0-9a-f]{48})$/i;
// Only the namespace is case-insensitive: the digest is base64url, where case is data.
const GA4GH = /^(?:[gG][aA]4[gG][hH]:)?(SQ\.[A-Za-z0-9_-]{32})$/;

/** The forms clients send for a sequence id, normalised; undefined for anything else. */
export function parseRefgetId(id: string): RefgetId | undefined {
  const md5 = MD5.exec(id);
  if (md5) return { algorithm: 'md5', digest: md5[1]!.toLowerCase() };
  const ga4gh = GA4GH.exec(id);
  if (ga4gh) return { algorithm: 'ga4gh', digest: ga4gh[1]! };
  const trunc = TRUNC512.exec(id);
  if (trunc) return { algorithm: 'ga4gh', digest: ga4ghOfTrunc512(trunc[1]!.toLowerCase()) };
  return undefined;
}
