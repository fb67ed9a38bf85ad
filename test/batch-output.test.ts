/**
 * POST /batch, what comes out: ?case and ?mask on every region after the reverse complement,
 * FASTA byte for byte what `samtools faidx -r` writes (-i for strand -, -n for the width), and
 * ?width=0 for one line per sequence.
 *
 * Run alone: node --import tsx --test test/batch-output.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { post, sequencesOf } from './helpers/batch-client.js';
import { writeBatchGenome } from './helpers/batch-genome.js';
import { prng, randInt } from './helpers/fasta-fixtures.js';
import { SamtoolsCopy, hasSamtools } from './helpers/samtools.js';

const genome = writeBatchGenome();
after(() => genome.remove());
const { dir, wrapped, oracle, expectedBases, randomRegions } = genome;

describe('POST /batch', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
  });

  test('?case and ?mask apply to every region, after the reverse complement', async () => {
    const regions = randomRegions(2, 60);
    const body = { regions: regions.map((r) => ({ name: r.name, start: r.start, end: r.end, strand: r.reverse ? '-' : '+' })) };
    const transforms: [string, (s: string) => string][] = [
      ['case=upper', (s) => s.toUpperCase()],
      ['case=lower', (s) => s.toLowerCase()],
      ['mask=hard', (s) => s.replace(/[a-z]/g, 'N')],
      ['mask=hard&case=lower', (s) => s.replace(/[a-z]/g, 'N').toLowerCase()],
    ];
    for (const [query, f] of transforms) {
      const res = await post(app, `/batch?${query}`, body);
      assert.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
      const got = sequencesOf(res.body);
      regions.forEach((r, i) => assert.equal(got[i]!.sequence, f(expectedBases(r.name, r.start, r.end, r.reverse)), `${query}: region ${i}`));
    }
  });

  test(
    'FASTA answers are byte for byte what samtools faidx -r writes (and -i for strand -, -n for width)',
    { skip: !hasSamtools() && 'samtools is not installed' },
    async () => {
      const copy = new SamtoolsCopy(wrapped.path);
      try {
        const rng = prng(7);
        const regions: string[] = ['chr2', 'chrM:1-61', 'chrM:50-70', 'chr2:1,000-2,000', 'chr1:1-1', 'chr1:59-61', 'chr1:120-120', 'chr1:150000-'];
        for (let k = 0; k < 300; k++) {
          const name = ['chr1', 'chr2', 'chrM'][randInt(rng, 0, 2)]!;
          const L = oracle.get(name)!.length;
          const a = randInt(rng, 1, L);
          regions.push(`${name}:${a}-${Math.min(L + 5, a + randInt(rng, 0, 400))}`);
        }
        const regionFile = join(copy.dir, 'regions.txt');
        writeFileSync(regionFile, regions.join('\n') + '\n');
        copy.fai();
        const samtools = (...args: string[]) =>
          execFileSync('samtools', ['faidx', ...args, '-r', regionFile, copy.fasta], {
            encoding: 'latin1',
            maxBuffer: 1 << 28,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
        const cases: [string, string[], string | undefined][] = [
          ['/batch?format=fasta', [], undefined],
          ['/batch', [], 'text/x-fasta'],
          ['/batch?format=fasta&strand=-', ['-i'], undefined],
          ['/batch?format=fasta&width=25', ['-n', '25'], undefined],
          ['/batch?format=fasta&width=7&strand=-', ['-i', '-n', '7'], undefined],
        ];
        for (const [url, args, accept] of cases) {
          const want = samtools(...args);
          for (const [body, type] of [
            [regions.join('\n') + '\n', 'text/plain'],
            [{ regions }, 'application/json'],
          ] as const) {
            const res = await post(app, url, body, type, accept);
            assert.equal(res.statusCode, 200, `${url} ${type}: ${res.body.slice(0, 200)}`);
            assert.match(String(res.headers['content-type']), /^text\/x-fasta/, `${url}: FASTA media type`);
            const got = res.rawPayload.toString('latin1');
            if (got !== want) {
              const gl = got.split('\n');
              const wl = want.split('\n');
              const at = gl.findIndex((l, i) => l !== wl[i]);
              assert.fail(
                `${url} ${type} (samtools faidx ${args.join(' ')}): first difference at line ${at + 1}: got ${JSON.stringify(gl[at])}, samtools ${JSON.stringify(wl[at])}`,
              );
            }
          }
        }
      } finally {
        copy.remove();
      }
    },
  );

  test('?width=0 writes each sequence on one line; an empty region is a header alone', async () => {
    const res = await post(app, '/batch?format=fasta&width=0', {
      regions: ['chr2:1-200', { name: 'chrM', start: 5, end: 5 }, { name: 'chr1', start: 0, end: 100, strand: '-' }],
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.equal(
      res.body,
      `>chr2:1-200\n${expectedBases('chr2', 0, 200, false)}\n>chrM:6-5\n>chr1:1-100/rc\n${expectedBases('chr1', 0, 100, true)}\n`,
      'unwrapped FASTA',
    );
  });
});
