/**
 * whenLogsWritten (src/server/logger.ts): the friendly ready line must not overtake the JSON
 * ready line. With a write to stdout still in flight (here a FIFO nobody reads yet), pino's own
 * flush(cb) calls back at once; whenLogsWritten waits until the line is written.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, openSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { whenLogsWritten } from '../src/server/logger.js';
import { removeDir, tempDir } from './helpers/fasta-fixtures.js';

const root = tempDir('seqserve-logger-');
after(() => removeDir(root));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('whenLogsWritten waits for a line still being written; flush(cb) alone does not', async () => {
  const fifo = join(root, 'stdout');
  execFileSync('mkfifo', [fifo]);
  // Read and write (Linux): opening does not wait for a reader, so nothing blocks here.
  const fd = openSync(fifo, 'r+');
  const reader = createReadStream(fifo);
  const destination = pino.destination({ dest: fd, sync: false });
  const logger = pino(destination);
  try {
    reader.pause();
    let received = 0;
    reader.on('data', (d: string | Buffer) => (received += d.length));
    // Far more than a pipe holds: the write stays in flight until the reader reads.
    logger.info('x'.repeat(1 << 20));
    let flushed = false;
    let written = false;
    logger.flush(() => (flushed = true));
    whenLogsWritten(logger, () => (written = true));
    await sleep(300);
    assert.equal(flushed, true, "pino's flush called back with the line not yet written");
    assert.equal(written, false, 'whenLogsWritten waits');
    reader.resume();
    for (let i = 0; i < 200 && !written; i++) await sleep(10);
    assert.equal(written, true, 'and calls back once it is written');
    // Written means handed to the kernel: the pipe may still hold its last bytes for the reader.
    for (let i = 0; i < 200 && received <= 1 << 20; i++) await sleep(10);
    assert.ok(received > 1 << 20, `the whole line was written (${received} bytes read)`);
  } finally {
    reader.destroy();
    destination.destroy();
  }
});
