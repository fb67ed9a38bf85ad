/**
 * The README's Python loader (the block after `<!-- python-example: loader -->`), run as written
 * with Debian's python3-numpy against the real server on a loopback port: batches in codes and
 * onehot with augmentation, and an epoch over a grid in two shards. Its arrays, saved with
 * np.save, are read by the tests' own npy reader and compared with the naive reader's bases.
 *
 * Run alone: node --import tsx --test --test-concurrency=1 test/python-example.test.ts
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './helpers/app.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';
import { readNpy } from './helpers/npy.js';
import { encode, windowBases, type Encoding } from './helpers/window-oracle.js';
import { writeWindowGenome } from './helpers/window-genome.js';

const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasNumpy = spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
const root = tempDir('seqserve-python-');
const { dir, oracle } = writeWindowGenome(root);
after(() => removeDir(root));

/** The README's loader, exactly as the README shows it. */
function readmeLoader(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- python-example: loader -->');
  assert.ok(marker >= 0, 'the README marks its loader');
  const block = /```python\n([^]*?)```/.exec(readme.slice(marker));
  assert.ok(block, 'a python block after the marker');
  return block[1]!;
}

/** Calls the loader as a user would; saves every array and prints the coordinates as JSON. */
const driver = `
import json, sys
import numpy as np
from loader import Windows

port, out = int(sys.argv[1]), sys.argv[2]
report = {}

def keep(name, windows, coords):
    np.save(f"{out}/{name}.npy", windows)
    report[name] = [[str(s), int(a), int(b), str(t)] for s, a, b, t in coords]

codes = Windows("127.0.0.1", port, length=250)
keep("codes", *codes.batch(count=300, seed=5))
again = codes.batch(count=300, seed=5)  # the same connection, reused
assert (again[0] == np.load(f"{out}/codes.npy")).all(), "a seed repeats its batch"
keep("onehot", *Windows("127.0.0.1", port, length=120, encoding="onehot", rc="random", shift=3).batch(count=200, seed=9))
for shard in (0, 1):
    batches = list(Windows("127.0.0.1", port, length=400, exclude="N").epoch(count=8, seed=2, stride=400, shard=shard, shards=2))
    keep(f"epoch{shard}", np.concatenate([w for w, _ in batches]), np.concatenate([c for _, c in batches]))
    report[f"epoch{shard}-batches"] = len(batches)
print(json.dumps(report))
`;

describe("the README's Python loader", { skip: hasNumpy ? false : 'python3-numpy is not installed (apt-get install python3-numpy)' }, () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    let url: string;
    ({ app, url } = await listeningApp(dir));
    port = Number(new URL(url).port);
  });
  after(async () => {
    await app?.close();
  });

  test('batches and a sharded epoch come back as the oracle says', async () => {
    writeFileSync(join(root, 'loader.py'), readmeLoader());
    writeFileSync(join(root, 'driver.py'), driver);
    const run = await promisify(execFile)(python, [join(root, 'driver.py'), String(port), root], { cwd: root, maxBuffer: 64 << 20 });
    const report = JSON.parse(run.stdout) as Record<string, [string, number, number, string][] | number>;

    const check = (name: string, encoding: Encoding, length: number) => {
      const coords = report[name] as [string, number, number, string][];
      const array = readNpy(readFileSync(join(root, `${name}.npy`)));
      const per = length * (encoding === 'onehot' ? 4 : 1);
      assert.deepEqual(array.shape, encoding === 'onehot' ? [coords.length, length, 4] : [coords.length, length], `${name}: shape`);
      for (const [i, [sequence, start, end, strand]] of coords.entries()) {
        assert.equal(end - start, length, `${name} ${i}: length`);
        const expected = encode(windowBases(oracle.get(sequence)!, start, end, strand), encoding);
        assert.ok(array.data.subarray(i * per, (i + 1) * per).equals(expected), `${name} window ${i} (${sequence}:${start}-${end} ${strand})`);
      }
      return coords;
    };
    assert.equal(check('codes', 'codes', 250).length, 300);
    const onehot = check('onehot', 'onehot', 120);
    assert.ok(onehot.some((c) => c[3] === '-') && onehot.some((c) => c[3] === '+'), 'rc=random flips some windows');

    const epoch = [...check('epoch0', 'codes', 400), ...check('epoch1', 'codes', 400)].map(([s, start]) => `${s}:${start}`);
    const grid: string[] = [];
    for (const [name, s] of oracle)
      for (let start = 0; start + 400 <= s.length; start += 400) if (!/[Nn]/.test(s.slice(start, start + 400))) grid.push(`${name}:${start}`);
    assert.deepEqual(epoch.sort(), grid.sort(), 'the two shards visit every N-free grid window once');
    assert.ok((report['epoch0-batches'] as number) > 1, 'the epoch took several requests (x-seqserve-next-offset followed)');
  });
});
