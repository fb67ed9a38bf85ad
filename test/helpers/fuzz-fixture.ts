/**
 * Shared setup for the hostile-input tests (test/fuzz.test.ts, test/security.test.ts): a data
 * folder with awkward sequence names, a second assembly, symlinks pointing out of the folder
 * (a FASTA, a directory and a plain file) and a secret beside it; and the checks every answer
 * must pass (problem+json for errors, no path, no stack, no byte from outside the folder).
 * No test cases here.
 */
import { pageCsp } from '../../routes/page.js';
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { securityHeaders } from '../../src/http/headers.js';
import { removeDir, subDir, tempDir, writeFasta, writeRaw } from './fasta-fixtures.js';

/** Text that must never be served: it sits next to the data folder, not in it. */
export const secret = 'SEQSERVE-SECRET-7f3a9c1e';
/** Bases of the FASTA outside the folder, linked in as data/linked.fa: never under /files. */
export const outsideMarker = 'ACGTTGCAACGTTGCAGGGGCCCCTTTTAAAA';

export interface HostileFolder {
  root: string;
  data: string;
  /** Names of the default assembly's sequences, awkward ones included. */
  names: string[];
  /** Name of the second assembly (a subfolder). */
  assembly: string;
  /** The bytes of every regular file inside the data folder that /files may serve. */
  allowed: Buffer[];
  /** Sets `allowed` from the folder as it is now (after the server wrote its .fai files). */
  scanAllowed(): void;
  remove(): void;
}

export function makeHostileFolder(): HostileFolder {
  const root = tempDir('seqserve-fuzz-');
  try {
    const data = subDir(root, 'data');
    const elsewhere = subDir(root, 'elsewhere');
    const records = [
      { name: 'chr1', length: 3000 },
      { name: 'HLA-A*01:01', length: 300 },
      { name: '{b}', length: 50 },
      { name: 'chr:2', length: 70 },
      { name: 'ü名', length: 40 },
    ];
    writeFasta(data, 'genome.fa', { seed: 5, lineWidth: 60, lowercase: true, nRuns: true, records });
    writeRaw(data, 'r', { seed: 6, length: 500 });
    const asm = subDir(data, 'asm2');
    writeFasta(asm, 'a.fa', { seed: 7, lineWidth: 50, records: [{ name: 'c1', length: 400 }] });
    // Outside the folder: a FASTA (linked in as a file), a secret (linked as a file and through a
    // linked directory).
    writeFileSync(join(elsewhere, 'outside.fa'), `>outside1\n${outsideMarker}\n`);
    writeFileSync(join(elsewhere, 'secret.txt'), `${secret}\n`);
    symlinkSync(join(elsewhere, 'outside.fa'), join(data, 'linked.fa'));
    symlinkSync(join(elsewhere, 'secret.txt'), join(data, 'secret-link.txt'));
    symlinkSync(join(elsewhere, 'secret.txt'), join(data, 'secret.fa.fai'));
    symlinkSync(elsewhere, join(data, 'escape'));
    writeFileSync(join(data, 'notes.txt'), 'NOT-IN-CATALOG');
    const folder: HostileFolder = {
      root,
      data,
      names: records.map((r) => r.name).concat('r'),
      assembly: 'asm2',
      allowed: [],
      scanAllowed() {
        folder.allowed = regularFiles(data)
          .filter((p) => !p.endsWith('notes.txt'))
          .map((p) => readFileSync(p));
      },
      remove: () => removeDir(root),
    };
    return folder;
  } catch (error) {
    removeDir(root);
    throw error;
  }
}

/** Regular files under dir, not following symlinks. */
function regularFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...regularFiles(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

export interface Answered {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  rawPayload: Buffer;
}

/** Statuses a hostile request may get besides 2xx, 3xx and 4xx: refget's circular 501, a closing 503. */
const intended5xx = new Set([501, 503]);

/** What must not appear in an answer unless the request itself carried it (echoed in `detail`/`instance`). */
function leakPatterns(folder: HostileFolder): { what: string; test: (s: string) => boolean }[] {
  const literal = (what: string) => ({ what, test: (s: string) => s.includes(what) });
  return [
    literal(folder.root),
    literal(realpathSync(folder.root)),
    literal(tmpdir()),
    literal('/home'),
    literal('/tmp/'),
    literal('node_modules'),
    literal(secret),
    { what: 'a stack frame (.ts:N / .js:N)', test: (s) => /\.(?:[cm]?[jt]s):\d+/.test(s) },
    { what: 'a stack trace', test: (s) => /\n\s+at /.test(s) || /\bat [\w.<>]+ \(/.test(s) },
  ];
}

/**
 * The properties every answer to a hostile request must have. `request` is everything the
 * client sent (URL, headers, body), so that an echo of its own input is not taken for a leak.
 */
export function checkAnswer(folder: HostileFolder, label: string, request: string, answer: Answered, options: { expect5xx?: boolean } = {}): void {
  const { statusCode: status } = answer;
  const body = answer.rawPayload;
  const text = body.toString('latin1');
  // Decoded run by run: one malformed '%' must not hide the rest of the request's own text.
  const decoded = `${request}\n${request.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  })}`;
  assert.ok(status < 500 || intended5xx.has(status) || options.expect5xx === true, `${label}: status ${status}: ${text.slice(0, 300)}`);
  const headerText = Object.entries(answer.headers)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n');
  for (const { what, test } of leakPatterns(folder)) {
    if (test(text) && !test(decoded)) assert.fail(`${label}: the body shows ${what}: ${text.slice(0, 300)}`);
    if (test(headerText) && !test(decoded)) assert.fail(`${label}: a header shows ${what}: ${headerText}`);
  }
  if (status >= 400) checkProblem(label, answer);
  // The genome page (a path that normalises to /) carries its own, equally narrow, policy.
  const isPage = String(answer.headers['content-type']).startsWith('text/html') && answer.headers['content-security-policy'] === pageCsp;
  for (const [name, value] of securityHeaders) {
    if (!(isPage && name === 'content-security-policy')) assert.equal(answer.headers[name], value, `${label}: ${status} without ${name}`);
  }
}

/** An error answer is application/problem+json with type, title, status and detail. */
export function checkProblem(label: string, answer: Answered): void {
  const { statusCode: status } = answer;
  const text = answer.rawPayload.toString('utf8');
  assert.equal(
    answer.headers['content-type'],
    'application/problem+json',
    `${label}: ${status} content-type ${String(answer.headers['content-type'])}: ${text.slice(0, 200)}`,
  );
  // A HEAD answer has the headers of the GET, but no body.
  if (answer.rawPayload.length === 0 && answer.headers['content-length'] !== undefined) return;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    assert.fail(`${label}: ${status} body is not JSON: ${text.slice(0, 200)}`);
  }
  assert.equal(typeof problem.type, 'string', `${label}: problem.type ${text.slice(0, 200)}`);
  assert.equal(typeof problem.title, 'string', `${label}: problem.title ${text.slice(0, 200)}`);
  assert.equal(typeof problem.detail, 'string', `${label}: problem.detail ${text.slice(0, 200)}`);
  assert.equal(problem.status, status, `${label}: problem.status ${String(problem.status)} vs ${status}`);
}

/** A /files body must be bytes of one allowed file (all of it, or a range), and never the outside FASTA's. */
export function checkFilesBody(folder: HostileFolder, label: string, answer: Answered): void {
  const body = answer.rawPayload;
  if (answer.statusCode >= 300 || body.length === 0) return;
  const text = body.toString('latin1');
  assert.ok(!text.includes(outsideMarker), `${label}: served bytes of the FASTA outside the data folder`);
  assert.ok(!text.includes(secret), `${label}: served the secret`);
  // `/files/..` is resolved by the client's URL parsing (as a browser does) to `/`: the genome page.
  if (answer.headers['content-security-policy'] === pageCsp && text.startsWith('<!doctype html>')) return;
  assert.ok(
    folder.allowed.some((file) => file.indexOf(body) >= 0),
    `${label}: ${answer.statusCode} served ${body.length} bytes that are not bytes of any file of the data folder: ${text.slice(0, 100)}`,
  );
}
