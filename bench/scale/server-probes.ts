/**
 * What the memory-limit bench reads off a running server: the bytes its processes read from
 * storage (/proc/PID/io), its own page-cache and non-2xx figures (/metrics), and the resident
 * share of each tenth of the genome file (mincore).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as proc from '../processes.js';

/** Bytes the server's processes caused to be read from storage (/proc/PID/io read_bytes, summed over its tree). */
export function readBytesOf(pid: number | undefined): number {
  let total = 0;
  for (const p of [pid, ...proc.descendantsOf(pid)]) {
    try {
      total += Number(/^read_bytes: (\d+)$/m.exec(readFileSync(`/proc/${p}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

export interface Scraped {
  resident: number;
  mapped: number;
  /** Answers that were not 2xx, by status, as counted by the worker that answered the scrape. */
  non2xx: Record<string, number>;
}

export async function scrape(origin: string): Promise<Scraped> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const non2xx: Record<string, number> = {};
  for (const m of text.matchAll(/^seqserve_http_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const status = /status="(\d+)"/.exec(m[1]!)?.[1];
    if (status && !status.startsWith('2')) non2xx[status] = (non2xx[status] ?? 0) + Number(m[2]);
  }
  return { resident: value('seqserve_page_cache_resident_bytes'), mapped: value('seqserve_mapped_bytes'), non2xx };
}

/** Resident share of each tenth of the file (mincore through python3's ctypes; NaNs without it). */
export function residentByTenth(file: string): number[] {
  const py = `
import ctypes, os, sys, json
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
addr = libc.mmap(None, size, 1, 1, fd, 0)
n = (size + 4095) // 4096
vec = ctypes.create_string_buffer(n)
if libc.mincore(ctypes.c_void_p(addr), size, vec) != 0: sys.exit(1)
raw = vec.raw
out = []
for i in range(10):
    a, b = i * n // 10, (i + 1) * n // 10
    part = raw[a:b]
    out.append((len(part) - part.count(b'\\x00')) / max(1, len(part)))
libc.munmap(ctypes.c_void_p(addr), size)
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout) as number[];
  } catch {
    return new Array<number>(10).fill(NaN);
  }
}
