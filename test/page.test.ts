/**
 * The genome page at / (routes/page.ts, page/): its HTTP answers (CSP, caching, igv.js served
 * from the installed package), then the page itself in a real browser (Debian's chromium driven
 * by playwright-core): the sequence list, bases of typed regions checked against a naive reader
 * of the FASTA written here, lowercase marked, reverse complement, copy and FASTA download,
 * and igv.js drawing its sequence track at base-pair zoom, with no console error or CSP
 * violation. Skipped (saying so) only where no chromium is installed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium, watchProblems } from './helpers/browser.js';
import { listeningApp } from './helpers/app.js';
import { prng, randomBases, wrap } from './helpers/fasta-fixtures.js';

const shots = join(import.meta.dirname, '.tmp', 'page');
// Named `genome` (the assembly takes the folder's name, and shows in the screenshot); one per run.
const dir = join(shots, `run-${process.pid}`, 'genome');

/** The oracle: a FASTA read the plainest way, name → bases as written (case kept). */
function naiveFasta(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = '';
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    if (line.startsWith('>')) out.set((name = line.slice(1).split(/\s/)[0]!), '');
    else out.set(name, out.get(name)! + line.trim());
  }
  return out;
}

const complement: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N', a: 't', c: 'g', g: 'c', t: 'a', n: 'n' };
const reverseComplement = (s: string) =>
  [...s]
    .reverse()
    .map((c) => complement[c] ?? c)
    .join('');

/** A genome with 11 long enough for 11:5,000,000-5,000,200, soft-masked stretches in it, MT, and UCSC aliases. */
function writeGenome(): void {
  mkdirSync(dir, { recursive: true });
  const rng = prng(8);
  const upper = (n: number) => randomBases(rng, n).toUpperCase();
  // Most of 11 is filler: a random block repeated (quick to make); the bases asked for are all random.
  const block = upper(99_991);
  const filler = block.repeat(50) + upper(440);
  // Lowercase known to fall inside the regions asked below.
  const chr11 = filler + upper(40) + randomBases(rng, 30).toLowerCase() + upper(140) + randomBases(rng, 100, { lowercase: true }) + upper(700);
  const mt = upper(100) + randomBases(rng, 50).toLowerCase() + upper(16_419);
  writeFileSync(join(dir, 'genome.fa'), `>11 chromosome 11\n${wrap(chr11, 60)}>MT\n${wrap(mt, 70)}`);
  writeFileSync(join(dir, 'genome.chromAlias.txt'), '# ensembl\tucsc\n11\tchr11\nMT\tchrM\n');
}

describe('the genome page', () => {
  let app: FastifyInstance;
  let url: string;
  let genome: Map<string, string>;

  before(async () => {
    writeGenome();
    genome = naiveFasta(join(dir, 'genome.fa'));
    ({ app, url } = await listeningApp(dir, { digests: true }));
    await app.digests.done;
  });
  after(async () => {
    await app?.close();
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('GET /: HTML with its own narrow CSP, revalidated by ETag; its files hashed and immutable', async () => {
    const answer = await fetch(`${url}/`);
    assert.equal(answer.status, 200, 'GET / answers');
    assert.match(String(answer.headers.get('content-type')), /^text\/html/, 'HTML');
    const csp = String(answer.headers.get('content-security-policy'));
    for (const part of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(part), `CSP has ${part}: ${csp}`);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('http'), `no inline, eval or other origin: ${csp}`);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', 'nosniff kept');
    assert.equal(answer.headers.get('cache-control'), 'no-cache', 'the HTML is revalidated');
    const html = await answer.text();
    const etag = String(answer.headers.get('etag'));
    assert.equal((await fetch(`${url}/`, { headers: { 'if-none-match': etag } })).status, 304, 'unchanged: 304');
    assert.ok(html.includes('href="/docs"') && html.includes('href="/metrics"'), 'links to /docs and /metrics');
    assert.ok(!/https?:\/\//.test(html), 'nothing from another origin');

    const files = [...html.matchAll(/"(\/page\/[^"]+)"/g)].map((m) => m[1]!);
    assert.equal(files.length, 3, `script, stylesheet, igv.js: ${files.join(' ')}`);
    for (const file of files) {
      const a = await fetch(`${url}${file}`);
      assert.equal(a.status, 200, `${file} answers`);
      assert.match(String(a.headers.get('cache-control')), /immutable/, `${file} is immutable`);
    }
    // igv.js is the installed package's file, byte for byte (gzipped on the wire when asked).
    const igvFile = files.find((f) => f.includes('igv'))!;
    const raw = await new Promise<Buffer>((resolve, reject) => {
      httpGet(`${url}${igvFile}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const parts: Buffer[] = [];
        res
          .on('data', (d: Buffer) => parts.push(d))
          .on('end', () => resolve(res.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(parts)) : Buffer.concat(parts)))
          .on('error', reject);
      }).on('error', reject);
    });
    const installed = readFileSync(join(dirname(createRequire(import.meta.url).resolve('igv')), 'igv.esm.min.js'));
    assert.ok(raw.equals(installed), 'igv.js as installed under node_modules/igv/dist');

    const missing = await fetch(`${url}/page/nope.js`);
    assert.equal(missing.status, 404, 'unknown page file: 404');
    assert.match(String(missing.headers.get('content-type')), /problem\+json/, 'as problem+json');
    // The API's answers keep their CSP that runs nothing.
    assert.equal((await fetch(`${url}/chrom`)).headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", 'API CSP unchanged');
  });

  it('/page/references.json points igv.js at /files; /chrom carries the refget digests once known', async () => {
    const refs = (await (await fetch(`${url}/page/references.json`)).json()) as Record<string, { fastaURL: string; indexURL: string; sequences: string[] }[]>;
    const [file] = Object.values(refs)[0]!;
    assert.deepEqual(file, { fastaURL: '/files/genome.fa', indexURL: '/files/genome.fa.fai', sequences: ['11', 'MT'] }, 'the FASTA and its index');
    assert.equal((await fetch(`${url}${file.indexURL}`)).status, 200, 'the index is served');
    const list = (await (await fetch(`${url}/chrom`)).json()) as { name: string; md5?: string; ga4gh?: string; aliases: string[] }[];
    const md5 = createHash('md5').update(genome.get('MT')!.toUpperCase()).digest('hex');
    const mt = list.find((s) => s.name === 'MT');
    assert.equal(mt?.md5, md5, 'MT md5 (refget: of the upper-cased bases)');
    assert.match(String(mt?.ga4gh), /^SQ\.[A-Za-z0-9_-]{32}$/, 'MT ga4gh');
    assert.ok(mt?.aliases.includes('chrM'), `aliases kept: ${mt?.aliases.join(', ')}`);
    const one = (await (await fetch(`${url}/chrom/chrM`)).json()) as { name: string; md5?: string };
    assert.equal(one.md5, md5, '/chrom/:name too');
  });

  it('in chromium: list, regions, lowercase, reverse complement, copy, download, igv.js', { skip: noChromium }, async (t) => {
    const browser: Browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, acceptDownloads: true });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      const page: Page = await context.newPage();
      const problems: string[] = [];
      await watchProblems(page, problems);

      await page.goto(`${url}/`);
      // The paint entry can be recorded a little after 'load': wait for it (buffered observer), 3 s at most.
      // No named functions inside: tsx would wrap them in a helper the page does not have.
      const paint = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const entry = list.getEntriesByName('first-contentful-paint')[0];
              if (entry) resolve(entry.startTime);
            }).observe({ type: 'paint', buffered: true });
            setTimeout(() => resolve(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1), 3000);
          }),
      );
      assert.ok(paint > 0 && paint < 1000, `first contentful paint under a second: ${paint} ms`);
      t.diagnostic(`first contentful paint: ${Math.round(paint)} ms`);

      // The list: names, lengths, aliases, digests.
      const row = page.locator('tr[data-name="11"]');
      await row.waitFor();
      const rowText = await row.innerText();
      assert.ok(rowText.includes('5,001,000') && rowText.includes('chr11') && /md5 [0-9a-f]{32}/.test(rowText), `row of 11: ${rowText}`);
      // The page-cache line (its figures against evicted and read files: test/page-residency.test.ts); nothing here keeps the genome in memory.
      const residency = page.locator('p.residency[data-assembly="genome"][data-percent]');
      await residency.waitFor();
      const mapped = statSync(join(dir, 'genome.fa')).size;
      assert.match(
        (await residency.textContent()) ?? '',
        new RegExp(`^Page cache: +\\d+\\.\\d of ${(mapped / 2 ** 20).toFixed(1)} MiB resident \\([\\d.]+%\\); not locked, kept warm or preloaded\\.$`),
        'the genome file, mapped; its share resident; nothing keeps it',
      );

      const show = async (region: string, title: string, reverse = false) => {
        await page.fill('#region', region);
        await page.setChecked('#reverse', reverse);
        await page.click('button[type="submit"]');
        await page.waitForFunction(
          (t) => document.querySelector('#result-title')?.textContent === t && document.querySelector('#status')?.textContent?.endsWith('bases.'),
          title,
        );
        const text = (await page.locator('#bases').textContent()) ?? '';
        const lines = text.split('\n').map((l) => /^\s*([\d,]+) (\S*)$/.exec(l)!);
        return { title: await page.locator('#result-title').textContent(), labels: lines.map((m) => m[1]), bases: lines.map((m) => m[2]).join('') };
      };

      // 1-based inclusive, with commas: /region.
      const a = await show('11:5,000,000-5,000,200', '11:5000000-5000200');
      assert.equal(a.title, '11:5000000-5000200', 'title');
      assert.equal(a.bases, genome.get('11')!.slice(4_999_999, 5_000_200), 'bases equal the file');
      assert.deepEqual(a.labels.slice(0, 3), ['5,000,000', '5,000,060', '5,000,120'], '1-based position of each line');
      const soft = await page.locator('#bases .soft').allTextContents();
      assert.equal(soft.join(''), a.bases.replace(/[^a-z]/g, ''), 'every lowercase base, and only those, marked');
      const [markBg, boxBg] = await page.evaluate(() => [
        getComputedStyle(document.querySelector('#bases .soft')!).backgroundColor,
        getComputedStyle(document.querySelector('#bases')!).backgroundColor,
      ]);
      assert.notEqual(markBg, boxBg, 'lowercase has its own background');
      await page.screenshot({ path: join(shots, 'bases.png') });

      // 0-based half-open, by an alias.
      const b = await show('chrM 100 400', 'MT:101-400');
      assert.equal(b.title, 'MT:101-400', 'canonical name, 1-based title');
      assert.equal(b.bases, genome.get('MT')!.slice(100, 400), '0-based bases equal the file');

      const rc = await show('chrM 100 400', 'MT:101-400 (reverse complement)', true);
      assert.equal(rc.title, 'MT:101-400 (reverse complement)', 'reverse title');
      assert.equal(rc.bases, reverseComplement(genome.get('MT')!.slice(100, 400)), 'reverse complement of the file, case kept');
      assert.equal(rc.labels[0], '400', 'reverse lines labelled by forward position');

      await page.click('#copy');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), rc.bases, 'copied bases');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const fasta = readFileSync(await download.path(), 'latin1');
      assert.equal(fasta, `>MT:101-400 (reverse complement)\n${wrap(rc.bases, 60)}`, 'downloaded FASTA: header and 60-column lines');
      assert.equal(download.suggestedFilename(), 'MT_101-400_rc.fa', 'file name');

      // Errors show the problem's detail.
      await page.fill('#region', 'nope:1-10');
      await page.click('button[type="submit"]');
      await page.waitForFunction(() => document.querySelector('#status.error')?.textContent?.includes('nope'));

      // igv.js follows the region; at 50 bp its sequence track draws bases.
      await show('11:5,000,001-5,000,050', '11:5000001-5000050');
      await page.waitForFunction(() => document.body.dataset.igvLocus === '11:5000001-5000050', null, { timeout: 15_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.igv), 'ready', 'igv.js ready');
      await page.waitForTimeout(300);
      const drawn = await page.evaluate(() => {
        const root = document.querySelector('#igv')!.shadowRoot!;
        const locus = root.querySelector<HTMLInputElement>('.igv-search-container input')?.value;
        const counts = [...root.querySelectorAll('canvas')]
          .filter((c) => c.width > 0 && c.height > 0)
          .map((c) => {
            const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            // Pixels neither transparent nor white nor grey: igv.js colours A, C, G, T.
            let coloured = 0;
            for (let i = 0; i < d.length; i += 4)
              if (d[i + 3]! > 0 && Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!) > 60) coloured++;
            return coloured;
          });
        return { locus, coloured: Math.max(0, ...counts) };
      });
      assert.equal(drawn.locus, '11:5,000,001-5,000,050', `igv.js at the locus (${drawn.locus})`);
      assert.ok(drawn.coloured > 500, `igv.js drew coloured bases: ${drawn.coloured} pixels`);
      await page.screenshot({ path: join(shots, 'igv.png') });

      // The README's picture: a few lines of bases, igv.js on the same region.
      await show('11:5,000,000-5,000,200', '11:5000000-5000200');
      await page.waitForFunction(() => document.body.dataset.igvLocus === '11:5000000-5000200', null, { timeout: 15_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(shots, 'page.png') });
      await page.screenshot({ path: join(shots, 'page-full.png'), fullPage: true });
      copyFileSync(join(shots, 'page.png'), join(import.meta.dirname, '..', 'page', 'screenshot.png'));

      // The one expected error: the 404 of nope:1-10, which the browser logs as a failed load.
      const unexpected = problems.filter((p) => !/status of 404/.test(p));
      assert.deepEqual(unexpected, [], 'no console errors or CSP violations');
    } finally {
      await browser.close();
    }
  });
});
