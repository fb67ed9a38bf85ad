/**
 * The genome page's collection digests and "Compare assemblies" form, in a real browser (Debian's
 * chromium driven by playwright-core): three assemblies: B holds A's sequences under Ensembl names,
 * C a part of A's. The page must show the digests /assemblies gives, and the verdict `seqserve compare`
 * gives (src/seqcol/verdict.ts on the server's own answers), which must be the one the data was
 * made to have: renamed, a subset, and identical for an assembly with itself. Skipped (saying so) only where
 * no chromium is installed.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium, watchProblems } from './helpers/browser.js';
import type { Comparison } from '../src/seqcol/comparison.js';
import { verdictOf, type Compared } from '../src/seqcol/verdict.js';
import { listeningApp } from './helpers/app.js';
import { prng, randomBases, removeDir, subDir, tempDir, wrap } from './helpers/fasta-fixtures.js';

interface AssemblyAnswer {
  name: string;
  collection: string | null;
  collection_url?: string;
}

describe('the genome page compares assemblies', { skip: noChromium }, () => {
  let root: string;
  let app: FastifyInstance;
  let url: string;
  let assemblies: AssemblyAnswer[];
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    root = tempDir('seqserve-page-compare-');
    const rng = prng(14);
    const bases = [randomBases(rng, 1500, { lowercase: true, nRuns: true }), randomBases(rng, 700), randomBases(rng, 300)];
    const ucsc = ['chr1', 'chr2', 'chrM'];
    const ensembl = ['1', '2', 'MT'];
    writeFileSync(join(subDir(root, 'A'), 'a.fa'), ucsc.map((n, i) => `>${n}\n${wrap(bases[i]!, 60)}`).join(''));
    // Other line widths on purpose: a collection is of the bases, not of the file.
    writeFileSync(join(subDir(root, 'B'), 'b.fa'), ensembl.map((n, i) => `>${n}\n${wrap(bases[i]!, 80)}`).join(''));
    // C: A without its mitochondrion.
    writeFileSync(join(subDir(root, 'C'), 'c.fa'), `>chr1\n${bases[0]}\n>chr2\n${bases[1]}\n`);
    ({ app, url } = await listeningApp(root, { digests: true }));
    await app.digests.done;
    // Collections are built in the background once the digests are in.
    for (let i = 0; i < 100; i++) {
      assemblies = (await (await fetch(`${url}/assemblies`)).json()) as AssemblyAnswer[];
      if (assemblies.every((a) => a.collection)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    browser = await launchChromium();
    page = await browser.newPage();
    await watchProblems(page, problems);
    await page.goto(`${url}/`);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    removeDir(root);
  });

  const digestOf = (name: string) => assemblies.find((a) => a.name === name)!.collection!;

  it('shows each assembly with its collection digest, linked to /collection', async () => {
    assert.deepEqual(
      assemblies.map((a) => a.name),
      ['A', 'B', 'C'],
    );
    await page.locator('a.collection').nth(2).waitFor();
    const shown = await page.locator('a.collection').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(
      shown,
      assemblies.map((a) => [a.collection, a.collection_url]),
    );
    assert.equal((await fetch(`${url}${assemblies[0]!.collection_url}`)).status, 200, 'the link answers');
  });

  const compareOnPage = async (a: string, b: string) => {
    await page.locator('#compare-form').waitFor();
    await page.selectOption('#compare-a', { label: a });
    await page.selectOption('#compare-b', { label: b });
    await page.click('#compare-form button');
    await page.waitForFunction((t) => document.querySelector('.verdict')?.textContent?.startsWith(t), `${a} (A) and ${b} (B): `);
    return {
      kind: await page.locator('.verdict').getAttribute('data-kind'),
      headline: await page.locator('.verdict').innerText(),
      details: await page.locator('.verdict-details li').allInnerTexts(),
      rows: await page.locator('table.counts tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
      chromAlias: (await page.locator('.compare pre').count()) > 0 ? await page.locator('.compare pre').innerText() : '',
    };
  };

  /** What the page should say: the verdict of the server's own comparison and collections. */
  const expected = async (a: string, b: string) => {
    const get = async <T>(path: string) => (await (await fetch(`${url}${path}`)).json()) as T;
    const comparison = await get<Comparison>(`/comparison/${digestOf(a)}/${digestOf(b)}`);
    const verdict = verdictOf(await get<Compared>(`/collection/${digestOf(a)}`), await get<Compared>(`/collection/${digestOf(b)}`), comparison);
    const counts = comparison.array_elements;
    const order = (x: boolean | null | undefined) => (x === null || x === undefined ? '—' : x ? 'yes' : 'no');
    const rows = comparison.attributes.a_and_b.map((k) => [
      k,
      String(counts.a_count[k]),
      String(counts.b_count[k]),
      String(counts.a_and_b_count[k]),
      order(counts.a_and_b_same_order[k]),
    ]);
    return { verdict, rows };
  };

  it('A and B: "renamed", the verdict and counts of the server, and the chromAlias that serves A’s names in B', async () => {
    const onPage = await compareOnPage('A', 'B');
    const { verdict, rows } = await expected('A', 'B');
    assert.equal(onPage.kind, 'renamed', `the data was made so: ${onPage.headline}`);
    assert.equal(verdict.kind, 'renamed');
    assert.equal(onPage.headline, `A (A) and B (B): ${verdict.headline}`);
    assert.deepEqual(onPage.details, verdict.details);
    assert.deepEqual(onPage.rows, rows);
    assert.ok(
      rows.some((r) => r[0] === 'sequences' && r[3] === '3'),
      `all three sequences shared: ${JSON.stringify(rows)}`,
    );
    assert.ok(
      rows.some((r) => r[0] === 'names' && r[3] === '0'),
      'no name shared',
    );
    assert.equal(onPage.chromAlias.trim(), verdict.chromAlias.trim());
    assert.match(onPage.chromAlias, /chr1\t1/);
  });

  it('A and C: "B is a subset of A", with the counts of each side', async () => {
    const onPage = await compareOnPage('A', 'C');
    const { verdict, rows } = await expected('A', 'C');
    assert.equal(onPage.kind, 'b-in-a', `the data was made so: ${onPage.headline}`);
    assert.equal(onPage.headline, `A (A) and C (B): ${verdict.headline}`);
    assert.deepEqual(onPage.details, verdict.details);
    assert.deepEqual(onPage.rows, rows);
    assert.deepEqual(
      rows.find((r) => r[0] === 'sequences'),
      ['sequences', '3', '2', '2', 'yes'],
    );
  });

  it('an assembly with itself: identical', async () => {
    const onPage = await compareOnPage('B', 'B');
    const { verdict, rows } = await expected('B', 'B');
    assert.equal(onPage.kind, 'identical');
    assert.equal(onPage.headline, `B (A) and B (B): ${verdict.headline}`);
    assert.deepEqual(onPage.rows, rows);
    assert.equal(onPage.chromAlias, '');
  });

  it('no console error or CSP violation', () => {
    assert.deepEqual(problems, []);
  });
});
