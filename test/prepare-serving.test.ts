/**
 * The files seqserve prepare writes are served as the original FASTA is: the real app on the
 * output folder and on the FASTA answer random ranges (strands, masks, cases) with the same
 * bytes, and list the same sequences, for every layout of test/helpers/prepare-fixtures.ts.
 *
 * Run alone: node --import tsx --test test/prepare-serving.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prepareCommand } from '../src/prepare/prepare.js';
import { testApp } from './helpers/app.js';
import { prng, randInt, removeDir, tempDir, type FastaFixture } from './helpers/fasta-fixtures.js';
import { fixtureKinds, writeKind } from './helpers/prepare-fixtures.js';
import { ask, enc } from './helpers/queries.js';
import { silent } from './helpers/recording-log.js';

const root = tempDir('seqserve-prepare-serving-');
after(() => removeDir(root));

/** The part of GET /chrom and /chrom/:name that must not change with the layout (format must, to raw). */
interface ChromInfo {
  name: string;
  length: number;
  format?: string;
}

fixtureKinds.forEach((kind, index) => {
  describe(`prepare: ${kind.title}`, () => {
    let dir = '';
    let fixture: FastaFixture;
    let expected = new Map<string, string>();

    before(() => {
      ({ dir, fixture, expected } = writeKind(root, kind, index));
    });

    test('the app on the output folder serves what it serves for the original FASTA', async () => {
      const out = join(dir, 'out-app');
      await prepareCommand(fixture.path, out, { log: silent });
      const fastaApp = await testApp(join(dir, 'fasta'));
      const rawApp = await testApp(out);
      try {
        const rng = prng(100 + index);
        const mismatches: string[] = [];
        const sample = [...expected].filter((_, i) => expected.size <= 20 || i % Math.ceil(expected.size / 20) === 0);
        for (const [name, sequence] of sample) {
          const L = sequence.length;
          // The 200-byte name makes URLs the server refuses as too long (414), for the FASTA alike.
          const routable = name.length < 100;
          const urls = [`/chrom/${enc(name)}`, `/chrom/${enc(name)}/range`, `/chrom/${enc(name)}/base/${L - 1}`];
          for (let k = 0; k < 8; k++) {
            const a = randInt(rng, 0, L);
            const b = randInt(rng, a, Math.min(L, a + randInt(rng, 0, 5000)));
            const extra = ['', '&strand=-', '&mask=hard', '&case=upper', '&mask=hard&case=lower'][k % 5];
            urls.push(`/chrom/${enc(name)}/range?start=${a}&end=${b}${extra}`);
          }
          for (const url of urls) {
            const [f, r] = [await ask(fastaApp, url), await ask(rawApp, url)];
            if (url === `/chrom/${enc(name)}`) {
              // Metadata differs by design (format, file, layout); name and length must not.
              if (!routable) {
                if (r.statusCode !== f.statusCode) mismatches.push(`${url}: FASTA ${f.statusCode}, raw ${r.statusCode}`);
                continue;
              }
              const [fj, rj] = [f.json<ChromInfo>(), r.json<ChromInfo>()];
              if (f.statusCode !== 200 || r.statusCode !== 200 || fj.name !== rj.name || fj.length !== rj.length || rj.format !== 'raw') {
                mismatches.push(`${url}: FASTA ${f.statusCode} ${fj.name}/${fj.length}, raw ${r.statusCode} ${rj.name}/${rj.length}/${rj.format}`);
              }
              continue;
            }
            if ((f.statusCode !== 200 && routable) || r.statusCode !== f.statusCode || r.body !== f.body) {
              mismatches.push(`${url}: FASTA ${f.statusCode} (${f.body.length} bytes), raw ${r.statusCode} (${r.body.length} bytes)`);
            }
          }
        }
        const fastaNames = (await ask(fastaApp, '/chrom')).json<ChromInfo[]>().map((c) => `${c.name}:${c.length}`);
        const rawNames = (await ask(rawApp, '/chrom')).json<ChromInfo[]>().map((c) => `${c.name}:${c.length}`);
        assert.deepEqual([...rawNames].sort(), [...fastaNames].sort(), 'the same sequences and lengths listed under /chrom');
        assert.deepEqual(mismatches, [], `answers differ:\n${mismatches.slice(0, 10).join('\n')}`);
      } finally {
        await fastaApp.close();
        await rawApp.close();
      }
    });
  });
});
