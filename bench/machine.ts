/** What the figures were measured on: CPU, memory, kernel, and the versions of every peer and tool. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  nginx?: string;
  wrk?: string;
  samtools?: string;
  autocannon: string;
}

export function machine(versions: Omit<Machine, 'nproc' | 'cpuModel' | 'memoryGb' | 'kernel' | 'node'>): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  const uname = spawnSync('uname', ['-r'], { encoding: 'utf8' });
  return {
    nproc: availableParallelism(),
    cpuModel,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: uname.status === 0 ? uname.stdout.trim() : release(),
    node: process.version,
    ...versions,
  };
}

export function describeMachine(m: Machine): string {
  return [
    `${m.nproc} cores (${m.cpuModel}), ${m.memoryGb} GiB, Linux ${m.kernel}, node ${m.node}`,
    `nginx ${m.nginx ?? 'not installed'}, wrk ${m.wrk ?? 'not installed'}, samtools ${m.samtools ?? 'not installed'}, autocannon ${m.autocannon}`,
  ].join('\n');
}
