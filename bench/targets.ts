/**
 * The targets of issue 5, each a ratio between figures of the same run: PASS or MISS with the
 * measured ratio, SKIP (with why) when a feature or a peer is not there.
 */
import type { BatchLine, Row, Target } from './report.js';

export interface Measured {
  rows: Row[];
  paired?: { ratios: number[]; median: number };
  /** Worker count of the workers group, or why it was skipped. */
  workers: number | string;
  batch: BatchLine[];
  /** Why the HTTP batch row is missing, if it is. */
  batchSkipped?: string;
  /** Paced rows with the rate asked for. */
  paced: { row: Row; rate: number; scenario: string }[];
  pacedTool: string;
}

const x = (n: number) => `${n.toFixed(2)} ×`;

function skip(name: string, why: string): Target {
  return { name, status: 'SKIP', ratio: NaN, detail: why };
}

function check(name: string, ratio: number, goal: number, detail: string, profile?: string, against?: Target['against']): Target {
  return { name, status: ratio >= goal ? 'PASS' : 'MISS', ratio, detail, profile, against };
}

export function evaluate(m: Measured): Target[] {
  const find = (group: string, server: string, scen: string) =>
    m.rows.find((r) => r.group === group && r.server.startsWith(server) && r.scenario === scen && r.file !== 'fasta');
  const targets: Target[] = [];

  // 1. Single base against the framework floor, one process.
  const name1 = 'single base ≥ 0.95 × hello-world floor, one process (median of paired runs)';
  if (m.paired) {
    const rows = m.rows.filter((r) => r.group === 'one process' && r.server === 'seqserve' && r.scenario === 'single base');
    const table = rows.map((r) => `${r.file} ${x(r.ratio)}`).join(', ');
    targets.push(
      check(
        name1,
        m.paired.median,
        0.95,
        `${x(m.paired.median)} (pairs: ${m.paired.ratios.map((r) => r.toFixed(2)).join(', ')}; table rows: ${table})`,
        'single base',
        'floor',
      ),
    );
  } else targets.push(skip(name1, 'paired runs not measured'));

  // 2–4. seqserve --workers N against nginx with N workers, on the raw file.
  const group = `${m.workers} workers`;
  const versus = (scen: string) => [find(group, 'seqserve', scen), find(group, 'nginx', scen)] as const;
  const workerGoals: [string, string, number][] = [
    ['single base', 'single base', 1],
    ['100 bp range', '100 bp range', 1],
    ['1 Mbp range', '1 Mbp range', 2],
  ];
  for (const [label, scen, goal] of workerGoals) {
    const name = `${label} with --workers N ≥ ${goal} × nginx (worker_processes N), req/s`;
    const [ours, nginx] = versus(scen);
    if (typeof m.workers === 'string' || !ours || !nginx) {
      targets.push(skip(name, typeof m.workers === 'string' ? m.workers : 'rows missing'));
      continue;
    }
    const ratio = ours.load.requestsPerSec / nginx.load.requestsPerSec;
    const cpu = `server CPU ${ours.cpuUsPerRequest.toFixed(1)} vs ${nginx.cpuUsPerRequest.toFixed(1)} µs/req`;
    targets.push(
      check(
        name,
        ratio,
        goal,
        `${x(ratio)} (N = ${m.workers}: ${Math.round(ours.load.requestsPerSec)} vs ${Math.round(nginx.load.requestsPerSec)} req/s; ${cpu})`,
        scen,
        'nginx',
      ),
    );
    if (scen === '1 Mbp range') {
      const p99 = ours.load.p99Ms / nginx.load.p99Ms;
      targets.push({
        name: '1 Mbp range with --workers N: p99 ≤ 2 × nginx p99',
        status: p99 <= 2 ? 'PASS' : 'MISS',
        ratio: p99,
        detail: `${x(p99)} (${ours.load.p99Ms} ms vs ${nginx.load.p99Ms} ms)`,
        profile: scen,
        against: 'nginx',
      });
    }
  }

  // 5. Batch against samtools faidx -r.
  const name5 = 'batch of 100,000 × 100 bp via POST /batch ≥ 2 × samtools faidx -r regions/s';
  const samtools = m.batch.find((b) => b.reader.startsWith('samtools'));
  const http = m.batch.filter((b) => b.reader.includes('POST /batch')).sort((a, b) => b.regionsPerSec - a.regionsPerSec)[0];
  if (!samtools) targets.push(skip(name5, 'samtools not installed'));
  else if (!http) targets.push(skip(name5, m.batchSkipped ?? 'POST /batch not measured'));
  else {
    const ratio = http.regionsPerSec / samtools.regionsPerSec;
    targets.push(check(name5, ratio, 2, `${x(ratio)} (${Math.round(http.regionsPerSec)} vs ${Math.round(samtools.regionsPerSec)} regions/s; ${http.reader})`));
  }

  // 6–7. Latency at half the measured peak.
  for (const p of m.paced) {
    const name = `${p.scenario}: p99 ≤ 5 ms at half the peak rate (one process)`;
    const reached = p.row.load.requestsPerSec / p.rate;
    const detail = `p99 ${p.row.load.p99Ms} ms at ${Math.round(p.row.load.requestsPerSec)} req/s (asked ${Math.round(p.rate)}, reached ${(reached * 100).toFixed(0)}%; ${m.pacedTool}) → ${x(5 / p.row.load.p99Ms)} headroom`;
    targets.push({ name, status: p.row.load.p99Ms <= 5 ? 'PASS' : 'MISS', ratio: 5 / p.row.load.p99Ms, detail, profile: p.scenario, against: 'latency' });
  }
  return targets;
}
