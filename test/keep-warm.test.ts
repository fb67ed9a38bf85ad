/**
 * --keep-warm and the residency warning through the real CLI: evicted pages of a test-owned file
 * come back at the bounded rate while answers stay correct; a preloaded assembly that falls
 * below --residency-warn is said once in the log, and its return too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, getFresh, readyz, startCli, stop, type Served } from './helpers/cli-server.js';
import { MiB, evict, randomBases, residentBytes, until, writeSynced } from './helpers/residency.js';

const SIZE = 48 * MiB;

describe('--keep-warm', () => {
  let dir: string;
  let file: string;
  let bases: Buffer;
  let served: Served | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-keep-'));
    file = join(dir, 'chrK.raw');
    bases = randomBases(SIZE, 11);
    writeSynced(file, bases);
  });
  after(async () => {
    await stop(served);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads evicted pages back at the bounded rate, and answers correctly meanwhile', async (t) => {
    evict(file);
    const rate = 16; // MiB/s: the 48 MiB file takes about 3 s to read back
    const args = ['--keep-warm', 'all', '--keep-warm-interval', '200', '--keep-warm-rate', String(rate), '--residency-warn', '0'];
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--no-access-log', ...args]);
    assert.ok(await until(() => residentBytes(file) === SIZE, 20_000), 'the cold file is read in by the keeper');
    const first = (await readyz(served.url)).residency.keeper;
    assert.equal(first.state, 'running');

    const left = evict(file);
    assert.ok(left < SIZE / 2, `the eviction worked: ${left} bytes left`);
    const started = performance.now();
    let s = 5;
    const checks: Promise<void>[] = [];
    while (residentBytes(file) < SIZE && performance.now() - started < 20_000) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const i = s % SIZE;
      checks.push(getFresh(`${served.url}/chrom/chrK/base/${i}`).then((r) => assert.equal(r.body.toString(), String.fromCharCode(bases[i]!), `base ${i}`)));
      await new Promise((r) => setTimeout(r, 25));
    }
    await Promise.all(checks);
    const ms = performance.now() - started;
    t.diagnostic(`restored ${SIZE - left} bytes in ${Math.round(ms)} ms at --keep-warm-rate ${rate}`);
    assert.equal(residentBytes(file), SIZE, 'every page is back');
    // The pacing: what was missing cannot come back faster than the rate allows, but for the one
    // 4 MiB step a pass issues before it pauses (the restore may span two passes), and our own
    // reads of single bases (a page each, 25 ms apart).
    const paced = ((SIZE - left - 2 * 4 * MiB - checks.length * 4096) / (rate * MiB)) * 1000;
    assert.ok(ms >= paced * 0.9, `paced: ${Math.round(ms)} ms, at least ${Math.round(paced * 0.9)}`);
    // Counted as it reads; the pass ends after its last pause.
    let keeper = first;
    const counted = async () => {
      keeper = (await readyz(served!.url)).residency.keeper;
      return keeper.rereadBytes >= first.rereadBytes + (SIZE - left) / 2 && keeper.passes > first.passes;
    };
    assert.ok(await until(counted, 5000, 100), `counted: ${JSON.stringify(keeper)}`);
    assert.ok(keeper.busyMs >= 0);
    const a = (await readyz(served.url)).residency.assemblies[0]!;
    assert.deepEqual([a.keptWarm, a.locked, a.preloaded], [true, false, false]);
    await stop(served);
    served = undefined;
  });

  it('warns once when a preloaded assembly falls below --residency-warn, and says when it is back', async () => {
    const args = ['--preload', '--residency-warn', '90', '--residency-check-interval', '150'];
    served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--no-access-log', ...args]);
    await served.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('preload done'), 30_000);
    await new Promise((r) => setTimeout(r, 400)); // checks while resident: no warning
    assert.doesNotMatch(served.stdout(), /has only/);
    evict(file);
    const warned = await served.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('has only'), 10_000);
    assert.equal(warned.level, 40, 'a warning');
    assert.match(
      String(warned.msg),
      new RegExp(`^assembly ${dir.split('/').pop()} \\(preloaded\\) has only [\\d.]+% of its 48 MiB in the page cache, below --residency-warn 90%`),
    );
    assert.match(String(warned.msg), /--keep-warm re-reads them, --lock keeps them/);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(served.stdout().match(/has only/g)?.length, 1, 'said once while it stays low');
    spawnSync('cat', [file], { stdio: 'ignore' });
    const back = await served.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('is back to'), 10_000);
    assert.equal(back.level, 30);
    assert.match(String(back.msg), /\(preloaded\) is back to 100% of its 48 MiB/);
  });
});
