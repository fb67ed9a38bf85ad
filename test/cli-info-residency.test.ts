/**
 * `seqserve info` says how much of each assembly is in the page cache (src/cli/info.ts), in its
 * table and in --json: test-owned files evicted with dd's nocache flag show 0%, the same files
 * read with cat show 100%. The oracle is mincore through the test's own mapping of each file
 * after info ran (what info itself read stays cached: a FASTA's .fai is checked against a few
 * pages of the file).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/cli-server.js';
import { MiB, evict, randomBases, residentBytes, writeSynced } from './helpers/residency.js';

interface InfoResidency {
  assemblies: { name: string; residency: { mappedBytes: number; residentBytes: number; percent: number } }[];
}

/** A page: residentBytes counts whole pages, capped at the file's size. */
const page = 4096;

describe('seqserve info: page-cache residency per assembly', () => {
  let dir: string;
  /** The sequence files of each assembly (what the server maps). */
  const files: Record<'fa' | 'raw', { path: string; size: number }[]> = { fa: [], raw: [] };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seqserve-info-residency-'));
    for (const name of ['fa', 'raw'] as const) mkdirSync(join(dir, name));
    // 2 MiB and 1 MiB + 1,000 bytes: the second file's last page is partly beyond its end.
    for (const [i, size] of [2 * MiB, MiB + 1000].entries()) {
      const path = join(dir, 'raw', `r${i + 1}.raw`);
      writeSynced(path, randomBases(size, 30 + i));
      files.raw.push({ path, size });
    }
    const records = [0, 1, 2].map(
      (i) =>
        `>s${i}\n${randomBases(600_010, 40 + i)
          .toString('latin1')
          .replace(/.{60}/g, '$&\n')}\n`,
    );
    const fasta = Buffer.from(records.join(''));
    writeSynced(join(dir, 'fa', 'g.fa'), fasta);
    files.fa.push({ path: join(dir, 'fa', 'g.fa'), size: fasta.length });
    // Builds and saves the .fai, so that the runs below only read the folder.
    const first = await runCli(['info', dir, '--json']);
    assert.equal(first.code, 0, first.stderr);
    spawnSync('sync');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const all = () => [...files.fa, ...files.raw];
  const sizeOf = (name: 'fa' | 'raw') => files[name].reduce((sum, f) => sum + f.size, 0);
  /** mincore through the test's own mapping, now. */
  const residentOf = (name: 'fa' | 'raw') => files[name].reduce((sum, f) => sum + residentBytes(f.path), 0);

  async function infoText(): Promise<string> {
    const r = await runCli(['info', dir]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }
  async function infoJson(): Promise<InfoResidency> {
    const r = await runCli(['info', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as InfoResidency;
  }
  const lineOf = (text: string, name: string) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`assembly ${name} `) || l.startsWith(`assembly ${name}:`));
    assert.ok(at >= 0, `assembly ${name} in: ${text}`);
    return lines[at + 1]!;
  };

  it('evicted: 0% (a raw file is not read at all; a FASTA only where its .fai is checked)', async () => {
    for (const f of all()) assert.equal(evict(f.path), 0, `${f.path}: evicted`);
    const text = await infoText();
    assert.equal(lineOf(text, 'raw'), '  page cache: 0.0 of 3.0 MiB resident (0%)', 'raw: the line under its heading');
    const read = residentOf('fa');
    assert.ok(read < sizeOf('fa') / 10, `the .fai check read a few pages of the FASTA, not the file: ${read} bytes`);
    const percent = Math.floor((read / sizeOf('fa')) * 1000) / 10;
    assert.equal(lineOf(text, 'fa'), `  page cache: 0.0 of 1.7 MiB resident (${percent}%)`, 'fa: those few pages');

    for (const f of all()) evict(f.path);
    const json = await infoJson();
    const byName = Object.fromEntries(json.assemblies.map((a) => [a.name, a.residency]));
    assert.deepEqual(byName.raw, { mappedBytes: sizeOf('raw'), residentBytes: 0, percent: 0 }, 'raw in JSON');
    assert.equal(byName.fa!.mappedBytes, sizeOf('fa'), 'fa: the FASTA is what is mapped (not its .fai)');
    assert.equal(byName.fa!.residentBytes, residentOf('fa'), 'fa: the pages mincore finds resident after info ran');
    assert.equal(byName.fa!.percent, Math.floor((residentOf('fa') / sizeOf('fa')) * 1000) / 10, 'fa: its percent, one decimal, rounded down');
  });

  it('read with cat: 100%, every byte (whole pages, capped at each size)', async () => {
    // Read again if the kernel evicted some pages between cat and info (this machine's DAMON pages
    // out what is not touched): cat reads every page, so info must say 100%.
    let text = '';
    let json: InfoResidency | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const cat = spawnSync(
        'cat',
        all().map((f) => f.path),
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      assert.equal(cat.status, 0, cat.stderr.toString());
      [text, json] = [await infoText(), await infoJson()];
      if (json.assemblies.every((a) => a.residency.percent === 100) && (text.match(/\(100%\)$/gm) ?? []).length === 2) break;
    }
    assert.equal(lineOf(text, 'raw'), '  page cache: 3.0 of 3.0 MiB resident (100%)');
    assert.equal(lineOf(text, 'fa'), '  page cache: 1.7 of 1.7 MiB resident (100%)');
    for (const a of json!.assemblies) {
      const name = a.name as 'fa' | 'raw';
      const { mappedBytes, residentBytes: resident, percent } = a.residency;
      assert.equal(mappedBytes, sizeOf(name), `${name}: mapped bytes`);
      assert.ok(resident >= mappedBytes - page && resident <= mappedBytes, `${name}: resident ${resident} of ${mappedBytes}`);
      assert.equal(percent, 100, `${name}: 100%`);
    }
  });
});
