/**
 * The data lifecycle: one object owns what the server serves (the assemblies, their refget
 * digest index and the /files map), checks the mapped files against the disk, reloads the data
 * folder in place and closes it all. Routes ask it for the current data on each request.
 */
import type { Logger } from 'pino';
import { DigestIndex } from '../refget/digest-index.js';
import { refgetItems, type RefgetItem } from '../refget/refget-item.js';
import { Collections } from '../seqcol/collections.js';
import { QualifiedNames } from '../refget/qualified-names.js';
import { openAssemblies, type Assemblies } from './assemblies.js';
import type { Config } from './config.js';
import { buildStaticFiles, type StaticFile } from './static-files.js';

/** What a reload did: 200 with `status: "reloaded"` (done here), or 202 `accepted` (a cluster worker asked the primary). */
export type ReloadOutcome = { status: 'reloaded'; assemblies: string[]; sequences: number; bases: number; ms: number } | { status: 'accepted'; detail: string };

export type Reloaded = Extract<ReloadOutcome, { status: 'reloaded' }>;

/** A mapped file found not to be what was mapped: changed in place, replaced by rename, or removed. */
export interface FileFinding {
  path: string;
  state: string;
}

type DataSettings = Pick<Config, 'data' | 'defaultAssembly' | 'bgzfCacheMib' | 'digests' | 'dataCheckInterval'>;

export class ServedData {
  private digestIndex: DigestIndex<RefgetItem>;
  private collectionIndex: Collections;
  private nameIndex: QualifiedNames;
  /** The servable files by name; refilled in place on a reload, so a holder of the map sees the new files. */
  readonly files: Map<string, StaticFile>;
  /** Findings already logged, so each is said once (until a reload). */
  private readonly reported = new Set<string>();
  private reloading: Promise<Reloaded> | undefined;
  private readonly checkTimer: NodeJS.Timeout | undefined;
  /** Live counts of the digest index, whichever index is current. */
  readonly digestCounts: { readonly known: number; readonly total: number };

  private constructor(
    readonly assemblies: Assemblies,
    private readonly settings: DataSettings,
    private readonly log: Logger,
  ) {
    assemblies.blockCache.resize(settings.bgzfCacheMib * 1024 * 1024);
    // Digests are read from sidecars now and computed in a worker for the rest, never blocking.
    this.digestIndex = DigestIndex.start(refgetItems(assemblies), log, { compute: settings.digests });
    this.collectionIndex = this.collectionsOver(this.digestIndex);
    this.nameIndex = new QualifiedNames(assemblies, this.digestIndex);
    this.files = buildStaticFiles(settings.data, assemblies, log);
    this.digestCounts = new DigestCounts(this);
    this.checkTimer = settings.dataCheckInterval > 0 ? setInterval(() => this.check(), settings.dataCheckInterval).unref() : undefined;
  }

  /** Maps the data folder (or takes assemblies the caller opened) and starts the digests and the file checks. */
  static open(settings: DataSettings, log: Logger, assemblies?: Assemblies): ServedData {
    return new ServedData(assemblies ?? openAssemblies(settings.data, log, { defaultAssembly: settings.defaultAssembly }), settings, log);
  }

  /** The refget digest index now (a reload replaces it). */
  get digests(): DigestIndex<RefgetItem> {
    return this.digestIndex;
  }

  /** Names such as insdc:CM000663.2 and GRCh38:1 for refget, over the data now (a reload replaces them). */
  get names(): QualifiedNames {
    return this.nameIndex;
  }

  /** The assemblies as seqcol collections now (a reload replaces them with its digests). */
  get collections(): Collections {
    return this.collectionIndex;
  }

  /** Checks every mapped file against the disk now (also every dataCheckInterval ms); logs each new finding once. */
  check(): FileFinding[] {
    const found = this.assemblies.checkFiles();
    for (const { path, state } of found) {
      const key = `${state} ${path}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      if (state === 'changed') {
        this.log.error(
          { file: path },
          `data file ${path} changed on disk while mapped: its sequences answer 503 until a reload; replace data files by rename, then reload: kill -HUP or POST /admin/reload`,
        );
      } else {
        this.log.warn(
          { file: path },
          `data file ${path} was ${state === 'missing' ? 'removed' : 'replaced'} on disk: still serving the version mapped before; reload to serve what is there now: kill -HUP or POST /admin/reload`,
        );
      }
    }
    return found;
  }

  /** Re-reads the data folder and swaps it in; bad data rejects with a DataError and the old data stays. One at a time: a second ask shares the first. */
  reload(): Promise<Reloaded> {
    this.reloading ??= this.reloadNow().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  async close(): Promise<void> {
    clearInterval(this.checkTimer);
    await this.digestIndex.close();
    this.assemblies.close();
  }

  /** Collections over a digest index, built in the background once its digests are all in (a first request need not wait for a 50,000-contig build). */
  private collectionsOver(digests: DigestIndex<RefgetItem>): Collections {
    const collections = new Collections(this.assemblies, digests);
    digests.done.then(() => collections.warm()).catch((e: Error) => this.log.warn(`could not build the sequence collections: ${e.message}`));
    return collections;
  }

  private async reloadNow(): Promise<Reloaded> {
    const started = performance.now();
    const { assemblies, settings, log } = this;
    // Read and map the folder afresh; bad data throws here and the old data stays served.
    assemblies.adopt(openAssemblies(settings.data, log, { defaultAssembly: settings.defaultAssembly, blockCache: assemblies.blockCache }));
    // Then what was derived from the stores: digests, /files. Routes rebuild theirs on the swap.
    const old = this.digestIndex;
    this.digestIndex = DigestIndex.start(refgetItems(assemblies), log, { compute: settings.digests });
    this.collectionIndex = this.collectionsOver(this.digestIndex);
    this.nameIndex = new QualifiedNames(assemblies, this.digestIndex);
    void old.close();
    const files = buildStaticFiles(settings.data, assemblies, log);
    this.files.clear();
    for (const [name, file] of files) this.files.set(name, file);
    this.reported.clear();
    const { sequences, bases } = assemblies.totals;
    const names = assemblies.list.map((a) => a.name);
    const ms = Math.round(performance.now() - started);
    log.info(
      { assemblies: names, sequences, bases, ms },
      `reloaded the data folder: ${sequences} sequences, ${bases.toLocaleString('en-US')} bases, in ${ms} ms`,
    );
    return { status: 'reloaded', assemblies: names, sequences, bases, ms };
  }
}

/** How many sequences refget can find by digest, read from whichever index is current. */
class DigestCounts {
  constructor(private readonly data: ServedData) {}
  get known(): number {
    return this.data.digests.known;
  }
  get total(): number {
    return this.data.digests.total;
  }
}
