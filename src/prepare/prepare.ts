/**
 * `seqserve prepare INPUT OUTDIR`: any FASTA (plain or gzip; fasta-input.ts) streamed once into one
 * `NAME.raw` per sequence (bases only, case kept, so every range is one contiguous span of a mapping)
 * and its refget digest sidecar, hashed while writing, in constant memory (a few 4 MiB buffers).
 */
import { statSync } from 'node:fs';
import { aliasCopy } from './alias-file.js';
import { FastaSplitter } from './fasta-splitter.js';
import { READ_BYTES, checkInput, inputIsGzip, readInput } from './fasta-input.js';
import { OutputFolder, makeOutputFolder } from './output-folder.js';
import { summarise, type PrepareLog, type PrepareSummary } from './summary.js';

export type { PrepareLog, PrepareSummary } from './summary.js';

export async function prepareCommand(
  input: string,
  outDir: string,
  options: {
    force?: boolean;
    log: PrepareLog;
    /** A test seam: the size of the chunks read (and decompressed), to split lines and CRLFs between chunks. */
    readBytes?: number;
    /** Bytes of INPUT read so far (compressed bytes for a gzip input) and its size, after each read. */
    onProgress?: (bytesRead: number, bytesTotal: number) => void;
    /** Ctrl-C: stops, removes every temporary file, and rejects with the signal's reason; OUTDIR is left as it was. */
    signal?: AbortSignal;
  },
): Promise<PrepareSummary> {
  const { log } = options;
  const force = options.force ?? false;
  const started = performance.now();
  checkInput(input);
  makeOutputFolder(outDir);
  const gzip = inputIsGzip(input);
  const alias = aliasCopy(input, outDir, force, log);

  const folder = new OutputFolder(outDir, force);
  folder.warnAboutLeftovers(log);
  log.info(`preparing ${input} (${gzip ? 'gzip-compressed' : 'plain'} FASTA) into ${outDir}`);
  const splitter = new FastaSplitter(input, folder, log);
  try {
    const { onProgress, signal } = options;
    const total = statSync(input).size;
    const onRead = onProgress && ((bytes: number) => onProgress(bytes, total));
    await readInput(
      input,
      gzip,
      options.readBytes ?? READ_BYTES,
      async (chunks) => {
        for await (const chunk of chunks) await splitter.chunk(chunk);
        await splitter.end();
      },
      { onRead, signal },
    );
    // The last moment to stop with nothing in place: past it, the renames are quick and all done.
    signal?.throwIfAborted();
    folder.commit(alias);
  } catch (e) {
    await splitter.abort();
    folder.removeTemporaries();
    throw e;
  }

  folder.warnAboutOtherFiles(log);
  const { sequences, skippedEmpty, skippedDuplicates } = splitter;
  return summarise({ input, outDir, gzip, sequences, skippedEmpty, skippedDuplicates, alias }, performance.now() - started, log);
}
