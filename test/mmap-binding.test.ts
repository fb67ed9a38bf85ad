import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MappedFile } from '../src/store/mapped-file.js';
import { mmap } from '../src/store/mmap-binding.js';

// Every assert.ok here carries a message: without one, a failing assert.ok under tsx makes Node 20
// re-read the source to build the message and spins forever instead of failing.

/**
 * The real native binding (the fork in vendor/mmap-io, which reads sizes and offsets as 64-bit
 * integers; upstream's 32-bit reads fail 7 of these tests) and the windowed MappedFile on a
 * sparse file just over 5 GiB: holes read as zeros and cost no disk. Every expectation is read
 * back with fs (pread), never from a mapping.
 */

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const PAGE = mmap.PAGESIZE;
const FILE_SIZE = 5 * GiB + 777; // not a page multiple: the last window is partial
const PAST_4G = 4 * GiB + 12345;

/** Random bytes written at known offsets; everything else is a hole. */
const chunks: Array<[at: number, bytes: Buffer]> = [
  [0, randomBytes(PAGE)], // what an offset of 2^32 + x silently mapped before the patch (wraps to x)
  [2 * PAGE, randomBytes(PAGE)],
  [2 * GiB - 3, randomBytes(8)], // straddles 2^31
  [2.5 * GiB - 5, randomBytes(5)], // ends at the last byte of a 2.5 GiB map from 0
  [4 * GiB - 4, randomBytes(8)], // straddles 2^32
  [4 * GiB + 2 * PAGE, randomBytes(PAGE)],
  [PAST_4G, randomBytes(64)],
  [4.5 * GiB - 7, randomBytes(7)], // ends at the last byte of a 2.5 GiB map from 2 GiB
  [4 * GiB + 48 * MiB - 70_000, randomBytes(240_000)], // spans the 16 MiB window boundary at 4 GiB + 48 MiB
  [FILE_SIZE - 100, randomBytes(100)], // the file's last bytes
];

let dir: string;
let path: string;
let fd: number;

/** The file's bytes [start, end) read with pread: the ground truth. */
function expected(start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start);
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, out.length - done, start + done);
    assert.ok(n > 0, `short read at ${start + done}`);
    done += n;
  }
  return out;
}

function assertBytes(actual: Buffer, start: number, end: number, what: string): void {
  assert.equal(actual.length, end - start, `${what}: length`);
  const want = expected(start, end);
  if (!actual.equals(want)) {
    let i = 0;
    while (actual[i] === want[i]) i++;
    assert.fail(`${what}: first difference at file offset ${start + i}: got ${actual[i]}, want ${want[i]}`);
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'seqserve-mmap-binding-'));
  path = join(dir, 'sparse.bin');
  const w = openSync(path, 'w');
  try {
    ftruncateSync(w, FILE_SIZE);
    for (const [at, bytes] of chunks) writeSync(w, bytes, 0, bytes.length, at);
  } finally {
    closeSync(w);
  }
  fd = openSync(path, 'r');
  // The fixture itself: known bytes really are where the tests look for them.
  const known = chunks.find(([at]) => at === PAST_4G)![1];
  assert.deepEqual(expected(PAST_4G, PAST_4G + known.length), known);
  assert.notDeepEqual(expected(0, PAGE), Buffer.alloc(PAGE));
});

after(() => {
  if (fd !== undefined) closeSync(fd);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Bytes [start, end) of a mapped file, through copy(). */
function copied(file: MappedFile, start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start);
  assert.equal(file.copy(out, 0, start, end), end - start, `copy [${start}, ${end})`);
  return out;
}

describe('mmap binding with 64-bit sizes and offsets', () => {
  it('is the vendored fork, built for this Node', () => {
    // A registry copy of @riaskov/mmap-io in node_modules would load, but with 32-bit offsets.
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const pkgJson = realpathSync(createRequire(join(root, 'package.json')).resolve('@riaskov/mmap-io/package.json'));
    assert.equal(pkgJson, join(realpathSync(root), 'vendor', 'mmap-io', 'package.json'), 'resolved from vendor/mmap-io');
    assert.match((JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version, /-seqserve\.\d+$/);
    assert.equal(typeof mmap.map, 'function', `loads under Node ${process.version}`);
  });

  it('maps at an offset >= 2^32 and sees the bytes there, not the wrapped offset', () => {
    const offset = 4 * GiB + 2 * PAGE;
    const view = mmap.map(PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset);
    assertBytes(view, offset, offset + PAGE, 'map at 4 GiB + 2 pages');
    assert.ok(!view.equals(expected(2 * PAGE, 3 * PAGE)), 'the fixture must tell offset 2^32 + x from x');
  });

  it('maps at offsets 2^31 and just past 4 GiB + 12345', () => {
    const at2G = mmap.map(2 * PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 2 * GiB);
    assertBytes(at2G, 2 * GiB, 2 * GiB + 2 * PAGE, 'map at 2^31');

    const offset = Math.floor(PAST_4G / PAGE) * PAGE;
    const past = mmap.map(4 * PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset, mmap.MADV_RANDOM);
    assertBytes(past, offset, offset + 4 * PAGE, 'map around 4 GiB + 12345');
    assertBytes(past.subarray(PAST_4G - offset, PAST_4G - offset + 64), PAST_4G, PAST_4G + 64, 'bytes at 4 GiB + 12345');
  });

  it('maps 2.5 GiB in one piece and reads its last byte (no wrap of the size)', () => {
    const size = 2.5 * GiB;
    const whole = mmap.map(size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0);
    assert.equal(whole.length, size);
    assertBytes(whole.subarray(size - 5), size - 5, size, 'last bytes of a 2.5 GiB map');
    assertBytes(whole.subarray(2 * GiB - 3, 2 * GiB + 5), 2 * GiB - 3, 2 * GiB + 5, 'bytes across 2^31 inside the map');
  });

  it('maps 2.5 GiB from offset 2 GiB and reads past 4 GiB inside it', () => {
    const size = 2.5 * GiB;
    const offset = 2 * GiB;
    const view = mmap.map(size, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset);
    assert.equal(view.length, size);
    assertBytes(view.subarray(4 * GiB - 4 - offset, 4 * GiB + 4 - offset), 4 * GiB - 4, 4 * GiB + 4, 'bytes across 2^32');
    assertBytes(view.subarray(PAST_4G - offset, PAST_4G + 64 - offset), PAST_4G, PAST_4G + 64, 'bytes at 4 GiB + 12345');
    assertBytes(view.subarray(size - 7), offset + size - 7, offset + size, 'last bytes of the map');
    mmap.advise(view, 2 * GiB + PAGE, PAGE, mmap.MADV_WILLNEED); // 64-bit offset into the buffer
  });

  it('rejects negative or fractional sizes and offsets instead of wrapping them', () => {
    assert.throws(() => mmap.map(PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, -PAGE), RangeError);
    assert.throws(() => mmap.map(-1, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0), RangeError);
    assert.throws(() => mmap.map(PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, PAGE + 0.5), RangeError);
    const view = mmap.map(2 * PAGE, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0);
    assert.throws(() => mmap.advise(view, PAGE, 2 * PAGE, mmap.MADV_NORMAL), RangeError);
  });
});

describe('MappedFile over a file larger than 4 GiB', () => {
  it('reads the known bytes past 4 GiB with the default windows', () => {
    const file = MappedFile.open(path);
    try {
      assert.equal(file.size, FILE_SIZE);
      const known = chunks.find(([at]) => at === PAST_4G)![1];

      const view = file.view(PAST_4G, PAST_4G + 64);
      assert.ok(view, 'a 64-byte span fits one default window');
      assertBytes(view, PAST_4G, PAST_4G + 64, 'view at 4 GiB + 12345');
      assert.deepEqual(view, known);

      for (let i = 0; i < 64; i++) assert.equal(file.byteAt(PAST_4G + i), known[i], `byteAt(4 GiB + 12345 + ${i})`);
      assert.equal(file.byteAt(FILE_SIZE - 1), expected(FILE_SIZE - 1, FILE_SIZE)[0], 'the last byte');

      const target = Buffer.alloc(200, 0xee);
      assert.equal(file.copy(target, 10, FILE_SIZE - 100, FILE_SIZE), 100);
      assertBytes(target.subarray(10, 110), FILE_SIZE - 100, FILE_SIZE, 'copy of the last 100 bytes');
      assert.ok(target.subarray(0, 10).every((b) => b === 0xee) && target.subarray(110).every((b) => b === 0xee), 'copy stays in its slot');

      assertBytes(copied(file, 4 * GiB - 4, 4 * GiB + 4), 4 * GiB - 4, 4 * GiB + 4, 'copy across 2^32');
    } finally {
      file.close();
    }
  });

  it('splits spans at 16 MiB window boundaries past 4 GiB correctly', () => {
    const stride = 16 * MiB;
    const overlap = 4096;
    const file = MappedFile.open(path, { windowStride: stride, windowOverlap: overlap });
    try {
      const boundary = 4 * GiB + 48 * MiB; // window 259 starts here; window 258 ends `overlap` later

      // Within the overlap a span crossing the boundary is still one view ...
      const fits = file.view(boundary - 100, boundary + overlap);
      assert.ok(fits, 'a span ending at the overlap fits the earlier window');
      assertBytes(fits, boundary - 100, boundary + overlap, 'view across the boundary');
      // ... one byte more does not fit any single window.
      assert.equal(file.view(boundary - 100, boundary + overlap + 1), undefined);

      const start = boundary - 60_000;
      const end = boundary + 150_000;
      assert.equal(file.view(start, end), undefined, 'no single window holds the span');
      const target = Buffer.alloc(end - start + 20, 0xee);
      assert.equal(file.copy(target, 20, start, end), end - start);
      assertBytes(target.subarray(20), start, end, 'copy across the boundary');
    } finally {
      file.close();
    }
  });
});

describe('MappedFile with 64 KiB windows', () => {
  const stride = 64 * 1024;
  const overlap = 4096;
  const smallSize = 5 * stride + 123; // partial last window
  let small: string;
  let smallFd: number;

  before(() => {
    small = join(dir, 'small.bin');
    writeFileSync(small, randomBytes(smallSize));
    smallFd = openSync(small, 'r');
  });
  after(() => {
    if (smallFd !== undefined) closeSync(smallFd);
  });

  const read = (start: number, end: number): Buffer => {
    const out = Buffer.alloc(end - start);
    assert.equal(readSync(smallFd, out, 0, out.length, start), out.length);
    return out;
  };

  it('returns spans crossing window boundaries whole from copy()', () => {
    const file = MappedFile.open(small, { windowStride: stride, windowOverlap: overlap });
    try {
      assert.equal(file.size, smallSize);
      // [start, end, one view?]: inside one window, just past an overlap, across four window
      // ends, and up to the last byte of the file.
      const spans: Array<[number, number, boolean]> = [
        [100, 5000, true],
        [stride - 10, stride + overlap + 10, false],
        [stride - 1, 4 * stride + overlap + 1, false],
        [2 * stride + 7, smallSize, false],
      ];
      for (const [start, end, oneView] of spans) {
        assert.equal(file.view(start, end) !== undefined, oneView, `[${start}, ${end}) ${oneView ? 'is' : 'is not'} one view`);

        const target = Buffer.alloc(end - start + 3, 0xee);
        assert.equal(file.copy(target, 3, start, end), end - start);
        assert.deepEqual(target.subarray(3), read(start, end), `copy [${start}, ${end})`);
        assert.deepEqual(target.subarray(0, 3), Buffer.from([0xee, 0xee, 0xee]));
      }
      for (const at of [0, stride - 1, stride, 3 * stride + overlap, smallSize - 1]) {
        assert.equal(file.byteAt(at), read(at, at + 1)[0], `byteAt(${at})`);
      }
    } finally {
      file.close();
    }
  });

  it('view() is one window or undefined', () => {
    const file = MappedFile.open(small, { windowStride: stride, windowOverlap: overlap });
    try {
      const b = 2 * stride;
      const inside = file.view(b - 1, b + overlap); // window 1 maps up to 2 * stride + overlap
      assert.ok(inside, 'a span ending at the overlap fits window 1');
      assert.deepEqual(inside, read(b - 1, b + overlap));
      assert.equal(file.view(b - 1, b + overlap + 1), undefined, 'one byte past the overlap');
      assert.equal(file.view(100, 100 + stride + overlap), undefined, 'longer than a window');
      assert.equal(file.view(smallSize - 10, smallSize + 1), undefined, 'past the end of the file');
      const last = file.view(smallSize - 10, smallSize);
      assert.ok(last, 'the last 10 bytes fit the last window');
      assert.deepEqual(last, read(smallSize - 10, smallSize));
    } finally {
      file.close();
    }
  });

  it('rejects spans outside the file instead of spinning', () => {
    // Run in a child with a small heap and a deadline: an endless loop in copy() fails fast
    // there instead of hanging this test run.
    const here = dirname(fileURLToPath(import.meta.url));
    const mappedFile = pathToFileURL(join(here, '..', 'src', 'store', 'mapped-file.ts')).href;
    const exact = join(dir, 'exact.bin'); // a whole number of windows: no partial last window
    writeFileSync(exact, randomBytes(2 * stride));
    const code = `
      import { MappedFile } from ${JSON.stringify(mappedFile)};
      const results = [];
      for (const [p, size] of [[${JSON.stringify(small)}, ${smallSize}], [${JSON.stringify(exact)}, ${2 * stride}]]) {
        const f = MappedFile.open(p, { windowStride: ${stride}, windowOverlap: ${overlap} });
        for (const [s, e] of [[size - 10, size + 1], [size, size + 5], [-1, 10]]) {
          try { f.copy(Buffer.alloc(64), 0, s, e); results.push('returned'); } catch (err) { results.push(err.name); }
        }
        try { f.byteAt(size); results.push('returned'); } catch (err) { results.push(err.name); }
      }
      console.log(JSON.stringify(results));`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: join(here, '..'),
      env: { ...process.env, NODE_TEST_CONTEXT: undefined }, // a plain script, not a test-runner child
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, `child exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 400)}`);
    assert.deepEqual(JSON.parse(r.stdout.trim()), Array<string>(8).fill('RangeError'));
  });
});
