/**
 * Startup with an existing .fai: spawn → "ready" log line and spawn → first HTTP 200, the genome
 * and the baseline alternating; a bare Node http server spawned and polled the same way is the
 * floor.
 */
import * as proc from '../processes.js';
import { withServer, type Mode } from './seqserve.js';
import { log, starts } from './settings.js';

/** The floor for startup: Node's own http hello-world, spawned and polled the same way. */
export async function floorStartup(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < starts; i++) {
    const port = await proc.freePort();
    const t0 = performance.now();
    const child = proc.spawnPinned(proc.SERVER_CORES, process.execPath, [
      '-e',
      `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`,
    ]);
    try {
      for (;;) {
        if (performance.now() - t0 > 30_000) throw new Error('node hello-world did not answer within 30 s');
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          await res.arrayBuffer();
          if (res.status === 200) break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      out.push(performance.now() - t0);
    } finally {
      await proc.stop(child);
    }
  }
  log(`  node http hello-world: first answer ${out.map(Math.round).join(', ')} ms`);
  return out;
}

export interface Startup {
  readyMs: number[];
  firstAnswerMs: number[];
  selfReportedMs: number[];
}

/**
 * `starts` starts of each folder, alternating (big, small, big, ...) so that both see the same
 * spells of noise from the rest of the machine.
 */
export async function startup(dirs: readonly string[], mode: Mode): Promise<Startup[]> {
  const outs: Startup[] = dirs.map(() => ({ readyMs: [], firstAnswerMs: [], selfReportedMs: [] }));
  for (let i = 0; i < starts; i++) {
    for (const [k, dir] of dirs.entries()) {
      const s = await withServer(dir, mode.args, async (s) => s);
      if (s.builtIndexMs !== undefined) throw new Error(`${dir}: the server built an index during a startup measurement`);
      outs[k]!.readyMs.push(s.readyMs);
      outs[k]!.firstAnswerMs.push(s.firstAnswerMs);
      outs[k]!.selfReportedMs.push(s.selfReportedMs);
    }
  }
  for (const [k, dir] of dirs.entries()) {
    log(
      `  ${dir} (${mode.label}): ready ${outs[k]!.readyMs.map(Math.round).join(', ')} ms; first answer ${outs[k]!.firstAnswerMs.map(Math.round).join(', ')} ms`,
    );
  }
  return outs;
}
