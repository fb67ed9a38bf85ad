/**
 * GET /random and POST /batch as NumPy arrays (format=npy and npz): every window checked against
 * the naive reader at the coordinates the answer reports, encoded by the test's own oracle
 * (ascii, codes, onehot), read by the test's own npy/zip reader and, where python3-numpy is
 * installed, by numpy itself.
 *
 * Run alone: node --import tsx --test --test-concurrency=1 test/windows-arrays.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { column, readNpy, readZip, records } from './helpers/npy.js';
import { encode, windowBases, type Encoding } from './helpers/window-oracle.js';
import { writeWindowGenome } from './helpers/window-genome.js';

// Debian's python3-numpy (what .ci/run installs), not a python3 that happens to be first on PATH.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const root = tempDir('seqserve-windows-');
const { dir, oracle } = writeWindowGenome(root);
after(() => removeDir(root));

interface Window {
  sequence: string;
  start: number;
  end: number;
  strand: string;
}

/** The windows array and coordinates of an npy or npz answer. */
function parse(body: Buffer, format: 'npy' | 'npz'): { shape: number[]; data: Buffer; coords: Window[] } {
  if (format === 'npy') {
    const windows = readNpy(body);
    const coords = readNpy(body, windows.size);
    assert.equal(windows.size + coords.size, body.length, 'nothing after the two arrays');
    assert.match(coords.descr, /^\[\('sequence', '<U\d+'\), \('start', '<i8'\), \('end', '<i8'\), \('strand', '<U1'\)\]$/, 'coordinate fields');
    return { shape: windows.shape, data: windows.data, coords: records(coords) as unknown as Window[] };
  }
  const zip = readZip(body);
  assert.deepEqual([...zip.keys()], ['windows.npy', 'sequence.npy', 'start.npy', 'end.npy', 'strand.npy'], 'npz members');
  const windows = readNpy(zip.get('windows.npy')!);
  const [sequence, start, end, strand] = ['sequence', 'start', 'end', 'strand'].map((n) => column(readNpy(zip.get(`${n}.npy`)!)));
  const coords = sequence!.map((s, i) => ({ sequence: s as string, start: start![i] as number, end: end![i] as number, strand: strand![i] as string }));
  return { shape: windows.shape, data: windows.data, coords };
}

/** Asserts every window equals the oracle's bases at its coordinates, encoded. */
function checkWindows(label: string, parsed: ReturnType<typeof parse>, encoding: Encoding, length: number, map = (s: string) => s): void {
  const per = length * (encoding === 'onehot' ? 4 : 1);
  assert.deepEqual(parsed.shape, encoding === 'onehot' ? [parsed.coords.length, length, 4] : [parsed.coords.length, length], `${label}: shape`);
  for (const [i, w] of parsed.coords.entries()) {
    const sequence = oracle.get(w.sequence);
    assert.ok(sequence !== undefined, `${label} window ${i}: ${w.sequence} is a sequence of the folder`);
    assert.ok(w.start >= 0 && w.end === w.start + length && w.end <= sequence.length, `${label} window ${i}: [${w.start}, ${w.end}) inside`);
    const expected = encode(map(windowBases(sequence, w.start, w.end, w.strand)), encoding);
    assert.ok(parsed.data.subarray(i * per, (i + 1) * per).equals(expected), `${label} window ${i} (${w.sequence}:${w.start}-${w.end} ${w.strand}): bytes`);
  }
}

describe('windows as NumPy arrays', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(dir);
  });
  after(async () => {
    await app?.close();
  });
  const get = async (url: string, status = 200) => {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, status, `${url}: ${res.body.slice(0, 300)}`);
    return res;
  };

  for (const format of ['npy', 'npz'] as const) {
    for (const encoding of ['ascii', 'codes', 'onehot'] as const) {
      test(`GET /random format=${format} encoding=${encoding}: every window is the oracle's, at the JSON answer's coordinates`, async () => {
        const query = `length=301&count=400&seed=77&rc=random`;
        const res = await get(`/random?${query}&format=${format}&encoding=${encoding}`);
        assert.equal(res.headers['content-type'], format === 'npy' ? 'application/x-npy' : 'application/zip', 'media type');
        assert.equal(Number(res.headers['content-length']), res.rawPayload.length, 'content-length');
        const parsed = parse(res.rawPayload, format);
        assert.equal(parsed.coords.length, 400, 'count windows');
        checkWindows(`${format}/${encoding}`, parsed, encoding, 301);
        const json = JSON.parse((await get(`/random?${query}&format=json`)).body) as {
          sequences: { name: string; start: number; end: number; strand: string }[];
        };
        assert.deepEqual(
          parsed.coords.map((w) => [w.sequence, w.start, w.end, w.strand]),
          json.sequences.map((w) => [w.name, w.start, w.end, w.strand]),
          'the same windows and strands as the JSON answer of the same seed',
        );
        const names = new Set(parsed.coords.map((w) => w.sequence));
        assert.ok(names.size >= 5, `windows from many sequences and files (${[...names].join(' ')})`);
        assert.ok(parsed.coords.some((w) => w.strand === '-') && parsed.coords.some((w) => w.strand === '+'), 'both strands');
      });
    }
  }

  test('case and mask apply before encoding: mask=hard makes soft-masked bases 4, case=upper upper-cases ascii', async () => {
    const upper = parse((await get('/random?length=200&count=300&seed=5&format=npy&encoding=ascii&case=upper')).rawPayload, 'npy');
    checkWindows('case=upper', upper, 'ascii', 200, (s) => s.toUpperCase());
    const hard = parse((await get('/random?length=200&count=300&seed=5&format=npy&encoding=codes&mask=hard')).rawPayload, 'npy');
    checkWindows('mask=hard', hard, 'codes', 200, (s) => s.replace(/[a-z]/g, 'N'));
    const soft = parse((await get('/random?length=200&count=300&seed=5&format=npy&encoding=codes')).rawPayload, 'npy');
    assert.ok(!hard.data.equals(soft.data), 'the fixture has soft-masked bases, so mask=hard changes codes');
  });

  test('POST /batch: regions of one length as npy and npz, both strands, JSON and BED bodies', async () => {
    const regions = [
      { chrom: 'chr1', start: 0, end: 500 },
      { chrom: 'crlf61', start: 12_345 - 500, end: 12_345, strand: '-' },
      'w1:1001-1500',
      { chrom: 'w80', start: 79, end: 579 },
      { chrom: 'flat', start: 6_000, end: 6_500, strand: '-' },
      { chrom: 'r1', start: 4_499, end: 4_999 },
      { chrom: 'tb1', start: 1_000, end: 1_500 },
      { chrom: 'tb1', start: 5_500, end: 6_000, strand: '-' },
    ];
    for (const format of ['npy', 'npz'] as const) {
      for (const encoding of ['codes', 'onehot'] as const) {
        const res = await app.inject({ method: 'POST', url: `/batch?format=${format}&encoding=${encoding}`, payload: { regions } });
        assert.equal(res.statusCode, 200, res.body.slice(0, 300));
        const parsed = parse(res.rawPayload, format);
        assert.deepEqual(
          parsed.coords.map((w) => `${w.sequence}:${w.start}-${w.end}${w.strand}`),
          ['chr1:0-500+', 'crlf61:11845-12345-', 'w1:1000-1500+', 'w80:79-579+', 'flat:6000-6500-', 'r1:4499-4999+', 'tb1:1000-1500+', 'tb1:5500-6000-'],
          `${format}: the regions in order`,
        );
        checkWindows(`batch ${format}/${encoding}`, parsed, encoding, 500);
      }
    }
    const bed = await app.inject({
      method: 'POST',
      url: '/batch?format=npy&encoding=ascii',
      headers: { 'content-type': 'text/x-bed' },
      payload: 'w80\t10\t20\nchr1\t5\t15\t.\t0\t-\n',
    });
    checkWindows('BED body', parse(bed.rawPayload, 'npy'), 'ascii', 10);
  });

  test('bad requests change nothing and say why: mixed lengths, encoding without an array format, npz past limits', async () => {
    const mixed = await app.inject({ method: 'POST', url: '/batch?format=npy', payload: { regions: ['chr1:1-100', 'chr1:1-120'] } });
    assert.equal(mixed.statusCode, 400);
    assert.equal(mixed.headers['content-type'], 'application/problem+json');
    assert.match(mixed.body, /one length: region 1 \(\\"chr1:1-120\\"\) is 120 bases, region 0 is 100/);
    const text = await get('/random?length=10&count=2&format=fasta&encoding=codes', 400);
    assert.match(text.body, /encoding=codes applies to format=npy or npz only/);
    assert.match((await get('/random?length=10&count=2&format=npy&encoding=bits', 400)).body, /ascii, codes or onehot/);
    assert.match((await get('/random?length=10&format=npy&rc=always', 400)).body, /none or random/);
    assert.match((await get('/random?length=10&format=npy&shift=-3', 400)).body, /whole number/);
    const unknown = await app.inject({ method: 'POST', url: '/batch?format=npz', payload: { regions: ['nope:1-10'] } });
    assert.equal(unknown.statusCode, 404);
    const past = await app.inject({ method: 'POST', url: '/batch?format=npy', payload: { regions: [{ chrom: 'r1', start: 4_990, end: 5_010 }] } });
    assert.equal(past.statusCode, 416);
  });

  test('Accept: application/x-npy chooses npy; an empty epoch batch is a valid (0, L) array', async () => {
    const res = await app.inject({ method: 'GET', url: '/random?length=50&count=3&seed=1&encoding=codes', headers: { accept: 'application/x-npy' } });
    assert.equal(res.headers['content-type'], 'application/x-npy');
    checkWindows('accept', parse(res.rawPayload, 'npy'), 'codes', 50);
  });

  test('OpenAPI describes the new parameters of /random and /batch', async () => {
    type Operation = { description?: string; parameters: { name: string; description?: string }[] };
    const doc = JSON.parse((await get('/openapi.json')).body) as { paths: Record<string, Record<string, Operation>> };
    const described = (op: Operation) => op.parameters.filter((p) => p.description).map((p) => p.name);
    assert.deepEqual(described(doc.paths['/random']!.get!), ['encoding', 'rc', 'shift', 'shard', 'shards', 'stride', 'offset']);
    assert.deepEqual(described(doc.paths['/batch']!.post!), ['encoding', 'rc', 'shift', 'seed']);
    assert.match(doc.paths['/random']!.get!.description!, /format=npy.*X-Seqserve-Next-Offset/);
  });

  test("the page's training links answer what they say", async () => {
    const html = readFileSync(join(import.meta.dirname, '..', 'page', 'index.html'), 'utf8');
    const section = html.slice(html.indexOf('id="training-links"'), html.indexOf('</ul>', html.indexOf('id="training-links"')));
    const links = [...section.matchAll(/href="([^"]+)"(?:\s+type="([^"]+)")?/g)].map((m) => [
      m[1]!.replace(/&amp;/g, '&'),
      m[2] ?? 'application/json; charset=utf-8',
    ]);
    assert.equal(links.length, 4, 'four links');
    for (const [link, type] of links) {
      const res = await get(link!);
      assert.equal(res.headers['content-type'], type, `${link}: media type`);
      const format = /format=(npy|npz)/.exec(link!)?.[1] as 'npy' | 'npz' | undefined;
      if (format) {
        const encoding = /encoding=(\w+)/.exec(link!)![1] as Encoding;
        checkWindows(link!, parse(res.rawPayload, format), encoding, 1000);
      }
    }
  });

  test('numpy reads both formats to the same arrays as the oracle (python3-numpy)', async (t) => {
    if (spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) return t.skip('python3-numpy is not installed');
    const files: Record<string, string> = {};
    for (const format of ['npy', 'npz'] as const) {
      for (const encoding of ['ascii', 'codes', 'onehot'] as const) {
        const body = (await get(`/random?length=97&count=64&seed=3&rc=random&shift=4&format=${format}&encoding=${encoding}`)).rawPayload;
        const path = join(root, `${format}-${encoding}.${format}`);
        writeFileSync(path, body);
        files[`${format}-${encoding}`] = path;
      }
    }
    const script = `
import json, sys, numpy as np
out = {}
for key, path in json.loads(sys.argv[1]).items():
    if key.startswith('npy'):
        with open(path, 'rb') as f:
            windows = np.load(f)
            coords = np.load(f)
            assert f.read() == b''
        mapped = np.load(path, mmap_mode='r')
        assert np.array_equal(mapped, windows)
        sequence, start, end, strand = coords['sequence'], coords['start'], coords['end'], coords['strand']
    else:
        z = np.load(path)
        windows, sequence, start, end, strand = (z[n] for n in ['windows', 'sequence', 'start', 'end', 'strand'])
    assert windows.dtype == np.uint8 and windows.flags['C_CONTIGUOUS']
    out[key] = {'shape': list(windows.shape), 'hex': windows.tobytes().hex(),
                'coords': [[str(a), int(b), int(c), str(d)] for a, b, c, d in zip(sequence, start, end, strand)]}
print(json.dumps(out))`;
    const run = spawnSync(python, ['-c', script, JSON.stringify(files)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(run.status, 0, run.stderr);
    const read = JSON.parse(run.stdout) as Record<string, { shape: number[]; hex: string; coords: [string, number, number, string][] }>;
    for (const [key, r] of Object.entries(read)) {
      const coords = r.coords.map(([sequence, start, end, strand]) => ({ sequence, start, end, strand }));
      checkWindows(`numpy ${key}`, { shape: r.shape, data: Buffer.from(r.hex, 'hex'), coords }, key.split('-')[1] as Encoding, 97);
    }
    assert.deepEqual(read['npy-codes']!.coords, read['npz-onehot']!.coords, 'the same windows in every format and encoding');
  });
});
