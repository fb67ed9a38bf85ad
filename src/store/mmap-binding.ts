/** The typed native mmap binding (vendor/mmap-io). */
import { createRequire } from 'node:module';

/**
 * The native mapping binding, typed as we use it. Its published .d.ts declares an ES default
 * export that the CommonJS module does not have, so it is loaded through require.
 * It is the fork in vendor/mmap-io, which reads sizes and offsets as 64-bit integers.
 */
export interface MmapBinding {
  map(size: number, protection: number, flags: number, fd: number, offset?: number, advise?: number): Buffer;
  advise(buffer: Buffer, offset: number, length: number, advise: number): void;
  incore(buffer: Buffer): [unmapped: number, mapped: number];
  /** mlock / munlock of [offset, offset + length): 0, or the errno (fork additions). */
  lock(buffer: Buffer, offset: number, length: number): number;
  unlock(buffer: Buffer, offset: number, length: number): number;
  /** RLIMIT_MEMLOCK's soft limit in bytes, -1 when unlimited. */
  memlockLimit(): number;
  readonly PROT_READ: number;
  readonly MAP_SHARED: number;
  readonly MADV_NORMAL: number;
  readonly MADV_RANDOM: number;
  readonly MADV_SEQUENTIAL: number;
  readonly MADV_WILLNEED: number;
  readonly PAGESIZE: number;
}

export const mmap = createRequire(import.meta.url)('@riaskov/mmap-io') as MmapBinding;
