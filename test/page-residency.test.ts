/**
 * The genome page's page-cache line under each assembly (page/residency-view.ts, from /readyz), in
 * a real browser (Debian's chromium driven by playwright-core) against the real CLI server:
 * `cold` (two raw files, one not ending on a page) is evicted by the test with dd's nocache flag,
 * then read with cat. The page must show 0.0 of its MiB and 0%, then 100% by itself (it asks
 * again every 5 s), the same numbers as /readyz, and as mincore through the test's own mapping says
 * (0, then every byte);
 * and `locked` (--lock), `warm` (--keep-warm) and every assembly preloaded (--preload) said as
 * such. Skipped (saying so) only where no chromium is installed, or where nothing may be locked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium, watchProblems } from './helpers/browser.js';
import { freePort, readyz, startCli, stop, type Served } from './helpers/cli-server.js';
import { MiB, evict, mayLock, randomBases, residentBytes, until, writeSynced } from './helpers/residency.js';

/** What the page shows for one assembly: its line's text and the numbers it carries. */
interface Shown {
  text: string;
  residentBytes: number;
  mappedBytes: number;
  percent: number;
  locked: boolean;
  keptWarm: boolean;
  preloaded: boolean;
}

describe(
  "the genome page shows each assembly's page-cache residency",
  {
    skip: noChromium || (!mayLock(64 * 1024) && 'this process may not lock 64 KiB (no CAP_IPC_LOCK, ulimit -l below it): --lock cannot start'),
  },
  () => {
    let dir: string;
    const cold: { path: string; size: number }[] = [];
    let served: Served | undefined;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'seqserve-page-residency-'));
      for (const name of ['cold', 'locked', 'warm']) mkdirSync(join(dir, name));
      // 3 MiB and 1 MiB + 1,000 bytes: the second file's last page is partly beyond its end.
      for (const [i, size] of [3 * MiB, MiB + 1000].entries()) {
        const path = join(dir, 'cold', `c${i + 1}.raw`);
        writeSynced(path, randomBases(size, 20 + i));
        cold.push({ path, size });
      }
      // Small enough to lock under the smallest default RLIMIT_MEMLOCK (64 KiB) without CAP_IPC_LOCK.
      writeSynced(join(dir, 'locked', 'l.fa'), Buffer.from(`>l1\n${randomBases(24_000, 3).toString('latin1').replace(/.{60}/g, '$&\n')}\n`));
      writeSynced(join(dir, 'warm', 'w.raw'), randomBases(256 * 1024, 4));
      const args = ['--lock', 'locked', '--keep-warm', 'warm', '--preload', '--residency-warn', '0'];
      served = await startCli(['--data', dir, '--port', String(await freePort()), '--workers', '1', '--no-access-log', ...args]);
      assert.ok(await until(async () => (await readyz(served!.url)).preload.state === 'done', 20_000), 'the preload finishes');

      browser = await launchChromium();
      page = await browser.newPage();
      await watchProblems(page, problems);
    });
    after(async () => {
      await browser?.close();
      await stop(served);
      rmSync(dir, { recursive: true, force: true });
    });

    const coldBytes = () => cold.reduce((sum, f) => sum + f.size, 0);

    /** Each assembly's line as the page shows it now. */
    const shown = async (): Promise<Record<string, Shown>> =>
      page.locator('p.residency[data-percent]').evaluateAll((lines) =>
        Object.fromEntries(
          lines.map((l): [string, Shown] => {
            const d = (l as HTMLElement).dataset;
            return [
              d.assembly ?? '',
              {
                text: l.textContent ?? '',
                residentBytes: Number(d.residentBytes),
                mappedBytes: Number(d.mappedBytes),
                percent: Number(d.percent),
                locked: d.locked === 'true',
                keptWarm: d.keptWarm === 'true',
                preloaded: d.preloaded === 'true',
              },
            ];
          }),
        ),
      );

    /** The numbers of each assembly, without its name or the page's words. */
    const numbersOf = (onPage: Record<string, Shown>) =>
      Object.fromEntries(Object.entries(onPage).map(([name, { text: _text, ...numbers }]) => [name, numbers]));
    const numbersOfReadyz = async () =>
      Object.fromEntries((await readyz(served!.url)).residency.assemblies.map(({ assembly, ...numbers }) => [assembly, numbers]));

    /**
     * The page shows /readyz's numbers. Both move when the kernel evicts (this machine's DAMON
     * pages out what is not touched), so they are compared until they agree, within two of the
     * page's refreshes; the page's, when they never do.
     */
    const assertSameAsReadyz = async () => {
      const agree = await until(async () => isDeepStrictEqual(numbersOf(await shown()), await numbersOfReadyz()), 12_000, 250);
      if (!agree) assert.deepEqual(numbersOf(await shown()), await numbersOfReadyz(), "the page shows /readyz's residency");
    };

    const coldMeter = () => page.locator('section.assembly:has(p[data-assembly="cold"]) meter').evaluate((m) => (m as HTMLMeterElement).value);

    it('an evicted assembly: 0.0 of its MiB, 0%; the others locked, kept warm, and all preloaded, as /readyz says', async () => {
      for (const f of cold) assert.equal(evict(f.path), 0, `${f.path}: evicted (mincore through the test's own mapping)`);
      assert.ok(
        await until(async () => (await readyz(served!.url)).residency.assemblies.find((a) => a.assembly === 'cold')?.residentBytes === 0, 12_000),
        "/readyz's measurement (at most 5 s old) sees it",
      );
      await page.goto(`${served!.url}/`);
      await page.waitForFunction(() => document.querySelectorAll('p.residency[data-percent]').length === 3);
      assert.deepEqual(Object.keys(await shown()).sort(), ['cold', 'locked', 'warm'], 'a line per assembly');
      await assertSameAsReadyz();

      const onPage = await shown();
      const c = onPage.cold!;
      assert.equal(c.mappedBytes, coldBytes(), 'mapped: the two files');
      assert.equal(c.residentBytes, 0, 'nothing resident');
      assert.match(c.text, /^Page cache: +0\.0 of 4\.0 MiB resident \(0%\); preloaded \(--preload\)\.$/, c.text);
      assert.match(
        onPage.locked!.text,
        /^Page cache: +0\.023 of 0\.023 MiB resident \(100%\); locked \(--lock locked\), preloaded \(--preload\)\.$/,
        onPage.locked!.text,
      );
      // Kept warm, not locked: what the kernel evicted since the keeper's last pass is missing.
      assert.match(
        onPage.warm!.text,
        /^Page cache: +0\.\d{3} of 0\.250 MiB resident \([\d.]+%\); kept warm \(--keep-warm warm\), preloaded \(--preload\)\.$/,
        onPage.warm!.text,
      );
      assert.equal(await coldMeter(), 0, 'the bar: empty');
    });

    it('read with cat: the page shows 100% by itself, the bytes mincore counts', async () => {
      // Without a reload: the page asks /readyz again every 5 s, and /readyz measures at most every
      // 5 s, so 10 s at most. The files are read again if the kernel evicted some of them meanwhile.
      const allShown = async () => (await shown()).cold?.residentBytes === coldBytes();
      let shownAll = false;
      for (let attempt = 0; attempt < 4 && !shownAll; attempt++) {
        const cat = spawnSync(
          'cat',
          cold.map((f) => f.path),
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        assert.equal(cat.status, 0, cat.stderr.toString());
        for (const f of cold) assert.equal(residentBytes(f.path), f.size, `${f.path}: resident, every byte (whole pages, capped at the size)`);
        shownAll = await until(allShown, 12_000, 250);
      }
      assert.ok(shownAll, `the page shows every byte resident: ${JSON.stringify((await shown()).cold)}`);
      const onPage = await shown();
      assert.match(onPage.cold!.text, /^Page cache: +4\.0 of 4\.0 MiB resident \(100%\); preloaded \(--preload\)\.$/, onPage.cold!.text);
      assert.equal(await coldMeter(), 100, 'the bar: full');
      await assertSameAsReadyz();
    });

    it('no console error or CSP violation', () => {
      assert.deepEqual(problems, []);
    });
  },
);
