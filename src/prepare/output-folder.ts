/**
 * The output folder of a prepare run. Nothing appears in it until the whole input has been
 * read: every file is written as `FILE.tmp-PID` (which the catalog ignores) and renamed at the
 * end; a failure removes them all. Existing files are never overwritten without `force`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SequenceRecord } from '../data/sequence-record.js';
import { DataError } from '../core/errors.js';
import { fileStamp, sidecarPath, writeSidecar } from '../refget/digest-sidecar.js';
import type { SequenceDigests } from '../refget/digests.js';
import type { AliasCopy } from './alias-file.js';
import { isCaseInsensitive, rawFileName, unsafeNameReason } from './names.js';
import type { PrepareLog } from './summary.js';

const sequenceFile = /\.(fa|fasta|fna|raw|smalla)(\.(gz|bgz|bgzf))?$/i;

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);

/** A finished sequence, waiting for the final renames. */
interface Staged {
  tmp: string;
  file: string;
}

/** Creates the folder if need be, and checks it is one. */
export function makeOutputFolder(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new DataError(`cannot create the output folder ${outDir} (${errorCode(e)})`);
  }
  if (!statSync(outDir).isDirectory()) throw new DataError(`${outDir} is not a folder; pass the folder to write the raw files into`);
}

export class OutputFolder {
  readonly staged: Staged[] = [];
  /** Every temporary file created, to remove on failure. */
  private readonly temporaries: string[] = [];
  private readonly byLowerCase = new Map<string, string>();
  private caseInsensitive: boolean | undefined;

  constructor(
    readonly outDir: string,
    private readonly force: boolean,
  ) {}

  /**
   * The temporary raw file of sequence `name`, created and open, once the name is known to make
   * a file name of its own that overwrites nothing. `where` is the header's place in the input.
   */
  async create(name: string, nameBytes: Buffer, where: string): Promise<{ tmp: string; handle: FileHandle }> {
    const reason = unsafeNameReason(name, nameBytes);
    if (reason !== undefined) {
      throw new DataError(
        `${where}: sequence ${JSON.stringify(name)} cannot be prepared: ${reason}. Its raw file would be NAME.raw, and the server names a raw file's sequence after the file, so the name must be a plain file name; rename the sequence in the FASTA (e.g. zcat IN.fa.gz | sed 's/^>OLD/>NEW/' > IN.fa), or serve the FASTA itself (gunzip, then samtools faidx)`,
      );
    }
    const lower = name.toLowerCase();
    const other = this.byLowerCase.get(lower);
    if (other !== undefined && other !== name && (this.caseInsensitive ??= isCaseInsensitive(this.outDir))) {
      throw new DataError(
        `${where}: sequences "${other}" and "${name}" differ only by case, and the file system of ${this.outDir} does not tell such file names apart; prepare into a folder on a case-sensitive file system, or rename one of them in the FASTA`,
      );
    }
    if (other === undefined) this.byLowerCase.set(lower, name);
    const file = join(this.outDir, rawFileName(name));
    if (!this.force) {
      for (const path of [file, sidecarPath(file)]) {
        if (existsSync(path)) throw new DataError(`${path} already exists; pass --force to overwrite it, or prepare into an empty folder`);
      }
    }
    const tmp = `${file}.tmp-${process.pid}`;
    this.temporaries.push(tmp, sidecarPath(tmp));
    try {
      return { tmp, handle: await open(tmp, 'w') };
    } catch (e) {
      throw new DataError(`cannot create ${tmp} (${errorCode(e)}); check that ${this.outDir} is writable`);
    }
  }

  /** Writes the digest sidecar of a finished temporary raw file, and stages both; returns the final path. */
  stage(name: string, length: number, tmp: string, digests: SequenceDigests): string {
    const file = join(this.outDir, rawFileName(name));
    const layout: SequenceRecord = { name, length, offset: 0, lineBases: Math.max(length, 1), lineBytes: Math.max(length, 1), file, format: 'raw' };
    try {
      // Stamped with the temporary file: a rename keeps its size and mtime.
      writeSidecar(tmp, [layout], new Map([[name, digests]]), fileStamp(tmp));
    } catch (e) {
      throw new DataError(`cannot write ${sidecarPath(tmp)} (${errorCode(e)}); check the free space and permissions of ${this.outDir}`);
    }
    this.staged.push({ tmp, file });
    return file;
  }

  /** Everything read and written: now the files appear under their names. */
  commit(alias: AliasCopy | undefined): void {
    try {
      if (alias) {
        const tmp = `${alias.target}.tmp-${process.pid}`;
        this.temporaries.push(tmp);
        copyFileSync(alias.source, tmp);
        renameSync(tmp, alias.target);
      }
      for (const { tmp, file } of this.staged) {
        renameSync(tmp, file);
        renameSync(sidecarPath(tmp), sidecarPath(file));
      }
    } catch (e) {
      throw new DataError(
        `cannot put the prepared files in place in ${this.outDir} (${errorCode(e)}: ${(e as Error).message}); check the folder's permissions and free space, then run prepare again`,
      );
    }
  }

  /** After a failure: removes the temporary files, ignoring those that are not there. */
  removeTemporaries(): void {
    for (const p of this.temporaries) {
      try {
        unlinkSync(p);
      } catch {
        // not created yet, or already renamed
      }
    }
  }

  /** The catalog serves every sequence file of the folder: others beside ours may clash or surprise. */
  warnAboutOtherFiles(log: PrepareLog): void {
    const ours = new Set(this.staged.map((s) => basename(s.file)));
    let others: string[];
    try {
      others = readdirSync(this.outDir).filter((f) => sequenceFile.test(f) && !ours.has(f));
    } catch {
      return;
    }
    if (others.length === 0) return;
    const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '');
    log.warn(`${this.outDir} also holds ${shown}; the server serves every sequence file of the folder, and names must be unique across them`);
  }

  /** Temporary files of an interrupted run (killed before it could remove them): harmless, the catalog ignores them. */
  warnAboutLeftovers(log: PrepareLog): void {
    let leftovers: string[];
    try {
      leftovers = readdirSync(this.outDir).filter((f) => /\.tmp-\d+(\.refget\.tsv)?$/.test(f));
    } catch {
      return;
    }
    if (leftovers.length === 0) return;
    log.warn(
      `${this.outDir} holds ${leftovers.length} temporary files of an interrupted prepare (e.g. ${leftovers[0]}); the server ignores them, remove them to free the space`,
    );
  }
}
