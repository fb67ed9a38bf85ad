/**
 * Shared setup for the /files tests (test/files-http.test.ts, test/files-clients.test.ts): a
 * data folder of FASTA, .fai and raw files served by the real app, a raw HTTP client that sends
 * paths exactly as written, asynchronous samtools, and the fs oracle for a file's bytes.
 * No test cases here.
 */
import { execFile } from 'node:child_process';
import { readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { listeningApp } from './app.js';
import { removeDir, subDir, tempDir, writeFasta, writeRaw, type FastaFixture, type RawFixture } from './fasta-fixtures.js';

/**
 * samtools against the server, asynchronously: the server runs in this process, so a
 * synchronous child would block the event loop that must answer it. cwd is a temp folder, where
 * samtools may leave a cached copy of the .fai.
 */
export function samtools(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('samtools', args, { cwd, encoding: 'latin1', maxBuffer: 1 << 28, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as written (no URL normalisation of '..'). */
export function send(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The same oracle for every file: its bytes, read with fs. */
export const bytesOf = (path: string) => readFileSync(path);

/** A date one day ago, whole seconds, so that Last-Modified is a strong validator. */
export const dayAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000);

/** The data folder as static files: what the server was started on, and where it listens. */
export interface StaticFolder {
  root: string;
  data: string;
  genome: FastaFixture;
  crlf: FastaFixture;
  raw: RawFixture;
  outside: FastaFixture;
  app: FastifyInstance;
  url: string;
}

/**
 * A temp folder with a data folder (genome.fa, crlf.fasta, r22.raw, a symlink to a FASTA outside
 * it, a file not in the catalog) and a folder beside it with a secret, and the real app listening
 * on the data folder. The caller closes app and removes root; if setup fails, root is removed here.
 */
export async function openStaticFolder(): Promise<StaticFolder> {
  const root = tempDir('seqserve-files-');
  try {
    const data = subDir(root, 'data');
    const elsewhere = subDir(root, 'elsewhere');
    const genome = writeFasta(data, 'genome.fa', {
      seed: 11,
      lineWidth: 60,
      lowercase: true,
      nRuns: true,
      records: [
        { name: 'chr1', length: 150_000, description: 'first' },
        { name: 'chr2', length: 61 },
        { name: 'chrM', length: 16_569 },
        { name: 'tiny', length: 1 },
      ],
    });
    const crlf = writeFasta(data, 'crlf.fasta', {
      seed: 12,
      lineWidth: 50,
      crlf: true,
      records: [
        { name: 'w1', length: 3_001 },
        { name: 'w2', length: 777 },
      ],
    });
    const raw = writeRaw(data, 'r22', { seed: 13, length: 20_000 });
    // A FASTA outside the folder, linked in: its bytes must not be served under /files.
    const outside = writeFasta(elsewhere, 'outside.fa', { seed: 14, lineWidth: 60, records: [{ name: 'outside1', length: 500 }] });
    symlinkSync(outside.path, join(data, 'linked.fa'));
    writeFileSync(join(elsewhere, 'secret.txt'), 'SECRET-OUTSIDE');
    writeFileSync(join(data, 'notes.txt'), 'SECRET-NOT-IN-CATALOG');
    // Last-Modified a day ago: strong, so that an If-Range date can match.
    for (const f of [genome.path, crlf.path, raw.path]) utimesSync(f, dayAgo, dayAgo);
    // genome.fa and crlf.fasta get their .fai from the server (written beside them, then read
    // once at startup); a tiny stream threshold makes every body above 1 KiB a stream.
    const { app, url } = await listeningApp(data, { streamThreshold: 1024 });
    return { root, data, genome, crlf, raw, outside, app, url };
  } catch (error) {
    removeDir(root);
    throw error;
  }
}
