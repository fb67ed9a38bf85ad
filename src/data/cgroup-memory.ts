/**
 * This process's memory cgroup limit and usage (v2 memory.max / memory.current, v1
 * memory.limit_in_bytes / memory.usage_in_bytes), so --lock can refuse a set that the limit
 * cannot hold: locked pages cannot be reclaimed, and the kernel kills the process instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupMemory {
  limit: number;
  usage: number;
}

/** The limit and usage of this process's memory cgroup; undefined when there is no limit or no cgroup to read. */
export function cgroupMemory(): CgroupMemory | undefined {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'))?.split(':')[2];
  const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3);
  // In a container the cgroup namespace usually shows the path as / with its own cgroup mounted at the root.
  const candidates: [string, string, string][] = [];
  if (v1 !== undefined)
    for (const dir of [join('/sys/fs/cgroup/memory', v1), '/sys/fs/cgroup/memory']) candidates.push([dir, 'memory.limit_in_bytes', 'memory.usage_in_bytes']);
  if (v2 !== undefined) for (const dir of [join('/sys/fs/cgroup', v2), '/sys/fs/cgroup']) candidates.push([dir, 'memory.max', 'memory.current']);
  for (const [dir, limitFile, usageFile] of candidates) {
    if (!existsSync(join(dir, limitFile))) continue;
    const raw = readFileSync(join(dir, limitFile), 'utf8').trim();
    const limit = Number(raw);
    if (raw === 'max' || !(limit < 2 ** 62)) return undefined;
    return { limit, usage: Number(readFileSync(join(dir, usageFile), 'utf8').trim()) };
  }
  return undefined;
}
