/**
 * Lookup of sequences by refget digest. Digests saved in sidecars are loaded at once; the
 * missing ones are computed by one worker thread while the server already serves, so a
 * freshly added genome costs no startup time, only digests that appear a little later.
 */
import { Worker } from 'node:worker_threads';
import type { SequenceRecord } from '../data/sequence-record.js';
import { groupByFile, readSidecar, type DigestLog } from './digest-sidecar.js';
import type { DigestJob, DigestWorkerData, DigestWorkerMessage } from './digest-worker.js';
import { parseRefgetId, type SequenceDigests } from './digests.js';

// Under tsx the sources run as .ts, once built as .js: the worker is the sibling with the same extension.
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./digest-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function newWorker(workerData: DigestWorkerData): Worker {
  if (!fromSource) return new Worker(workerUrl, { workerData });
  // Node 20 does not run --import preloads in worker threads, so `--import tsx` does not reach
  // the worker (it fails with "Unknown file extension .ts"): register tsx there by hand first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

export interface DigestIndexOptions {
  /** Start the worker for files without a valid sidecar (default true); false only loads sidecars. */
  compute?: boolean;
}

export class DigestIndex<T extends { record: SequenceRecord }> {
  readonly total: number;
  /** Resolves when every item has digests, or the worker has ended or failed; never rejects. */
  readonly done: Promise<void>;

  /** Digests by file, then by sequence name: items of one file share its sidecar. */
  private readonly byFile = new Map<string, Map<string, SequenceDigests>>();
  private readonly itemsByFile = new Map<string, T[]>();
  /** Position of each item, so that the first item wins a shared digest whatever order files finish in. */
  private readonly position = new Map<T, number>();
  private readonly byMd5 = new Map<string, T>();
  private readonly byGa4gh = new Map<string, T>();
  private knownCount = 0;
  private worker: Worker | undefined;
  private closed = false;
  private finish: () => void = () => {};

  private constructor(
    items: readonly T[],
    private readonly log: DigestLog,
  ) {
    this.total = items.length;
    items.forEach((item, i) => {
      this.position.set(item, i);
      const list = this.itemsByFile.get(item.record.file);
      if (list) list.push(item);
      else this.itemsByFile.set(item.record.file, [item]);
    });
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  static start<T extends { record: SequenceRecord }>(items: readonly T[], log: DigestLog, options: DigestIndexOptions = {}): DigestIndex<T> {
    const index = new DigestIndex(items, log);
    const jobs: DigestJob[] = [];
    for (const [file, records] of groupByFile(items.map((i) => i.record))) {
      const saved = readSidecar(file, records);
      if (saved) index.add(file, saved);
      else jobs.push({ file, records });
    }
    if (jobs.length === 0 || options.compute === false) index.finish();
    else index.spawn(jobs);
    return index;
  }

  find(id: string): T | undefined {
    const parsed = parseRefgetId(id);
    if (!parsed) return undefined;
    return (parsed.algorithm === 'md5' ? this.byMd5 : this.byGa4gh).get(parsed.digest);
  }

  digestsOf(item: T): SequenceDigests | undefined {
    return this.digestsOfRecord(item.record);
  }

  digestsOfRecord(record: SequenceRecord): SequenceDigests | undefined {
    return this.byFile.get(record.file)?.get(record.name);
  }

  /** Items whose digests are known so far. */
  get known(): number {
    return this.knownCount;
  }

  /**
   * Digests of one file computed elsewhere (by the cluster primary, for its workers). A file
   * already known is left as it is, so a repeated message counts nothing twice.
   */
  load(file: string, digests: ReadonlyMap<string, SequenceDigests>): void {
    if (this.byFile.has(file)) return;
    this.add(file, new Map(digests));
  }

  /** Stops the worker; digests known so far stay usable. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.finish();
    if (worker) await worker.terminate();
  }

  private spawn(jobs: DigestJob[]): void {
    const pending = new Set(jobs.map((j) => j.file));
    let current = jobs[0]!.file;
    this.log.info(`computing refget digests for ${pending.size} file(s) in the background; lookups by digest fill in as each is done`);
    const worker = newWorker({ jobs });
    this.worker = worker;
    worker.on('message', (message: DigestWorkerMessage) => {
      if (this.closed) return;
      pending.delete(message.file);
      current = [...pending][0] ?? current;
      if (message.type === 'failed') {
        this.log.warn(`could not compute refget digests for ${message.file}: ${message.message}; its sequences cannot be found by digest`);
        return;
      }
      this.add(message.file, new Map(message.digests.map(([name, md5, ga4gh]) => [name, { md5, ga4gh }])));
      if (message.warning) this.log.warn(message.warning);
      else this.log.info(`computed refget digests for ${message.file} (${message.digests.length} sequences, ${message.ms} ms)`);
    });
    worker.on('error', (e) => {
      if (!this.closed) this.log.warn(`refget digest worker failed while hashing ${current}: ${e.message}; sequences not yet hashed cannot be found by digest`);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.finish();
    });
  }

  private add(file: string, digests: Map<string, SequenceDigests>): void {
    this.byFile.set(file, digests);
    for (const item of this.itemsByFile.get(file) ?? []) {
      const d = digests.get(item.record.name);
      if (!d) continue;
      this.knownCount++;
      this.claim(this.byMd5, d.md5, item);
      this.claim(this.byGa4gh, d.ga4gh, item);
    }
  }

  private claim(map: Map<string, T>, key: string, item: T): void {
    const holder = map.get(key);
    if (!holder || this.position.get(item)! < this.position.get(holder)!) map.set(key, item);
  }
}
