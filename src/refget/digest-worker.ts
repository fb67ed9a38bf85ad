/**
 * The worker thread of DigestIndex: hashing reads every byte of the genome, seconds per
 * gigabase, so it runs here and the server's event loop keeps answering meanwhile. Files are
 * done one at a time and each is reported as soon as it is hashed, so that lookups work for
 * the first files long before the last ones are finished.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SequenceRecord } from '../data/sequence-record.js';
import { computeFile } from './digest-sidecar.js';

export interface DigestJob {
  file: string;
  records: SequenceRecord[];
}

export interface DigestWorkerData {
  jobs: DigestJob[];
}

/** What the worker posts: one message per file, hashed or failed; the worker then exits. */
export type DigestWorkerMessage =
  | { type: 'file'; file: string; digests: [name: string, md5: string, ga4gh: string][]; ms: number; warning?: string }
  | { type: 'failed'; file: string; message: string };

function post(message: DigestWorkerMessage): void {
  parentPort!.postMessage(message);
}

if (parentPort) {
  for (const { file, records } of (workerData as DigestWorkerData).jobs) {
    const started = Date.now();
    try {
      const { digests, warning } = computeFile(file, records);
      post({
        type: 'file',
        file,
        digests: [...digests].map(([name, d]) => [name, d.md5, d.ga4gh]),
        ms: Date.now() - started,
        ...(warning ? { warning } : {}),
      });
    } catch (e) {
      // One unreadable file must not cost the digests of the others.
      post({ type: 'failed', file, message: e instanceof Error ? e.message : String(e) });
    }
  }
}
