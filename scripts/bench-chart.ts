/**
 * The bench chart: throughput (req/s) and p99 latency per scenario, seqserve against its peers,
 * from bench/.tmp/results.json, as a dependency-free hand-written SVG. Within a scenario the bars
 * share one scale (each scenario its own, since 1 Mbp and single-base rates differ 50-fold), and
 * every bar carries its figure.
 *
 * usage: node --import tsx scripts/bench-chart.ts [RESULTS.json] [OUT.svg]
 *        (defaults bench/.tmp/results.json → bench/chart.svg; `npm run bench` calls it itself)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ChartRow {
  group: string;
  server: string;
  scenario: string;
  file: string;
  load: { requestsPerSec: number; p99Ms: number };
}

interface ChartInput {
  date: string;
  machine?: { nproc: number; cpuModel: string };
  rows: ChartRow[];
}

const COLORS: [RegExp, string][] = [
  [/^hello/, '#9e9e9e'],
  [/^seqserve .*fasta/, '#90caf9'],
  [/^seqserve .*prepared/, '#26a69a'],
  [/^seqserve .*workers/, '#0d47a1'],
  [/^seqserve/, '#1e88e5'],
  [/^nginx.*workers/, '#1b5e20'],
  [/^nginx/, '#66bb6a'],
];

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** "seqserve raw", "nginx (2 workers)", "seqserve raw, 2 workers", "hello-world first". */
function seriesName(r: ChartRow): string {
  if (r.server === 'hello-world') return `hello-world ${r.scenario.replace(/^floor \((\w+)\)$/, '$1')}`;
  const workers = r.group.endsWith('workers') && r.server === 'seqserve' ? `, ${r.group}` : '';
  return r.server.startsWith('nginx') ? r.server : `${r.server} ${r.file}${workers}`;
}

function color(series: string): string {
  return COLORS.find(([re]) => re.test(series))?.[1] ?? '#757575';
}

export function chartSvg(input: ChartInput): string {
  const rows = input.rows.filter((r) => !r.group.includes('paced'));
  const groups = new Map<string, ChartRow[]>();
  for (const r of rows) {
    const key = r.server === 'hello-world' ? 'hello-world floor' : r.scenario;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const barH = 16;
  const gap = 4;
  const groupGap = 26;
  const labelW = 210;
  const panelW = 330;
  const left = 20;
  const top = 74;
  let y = top;
  const parts: string[] = [];
  const panels: [string, (r: ChartRow) => number, number][] = [
    ['throughput, req/s (longer is better)', (r) => r.load.requestsPerSec, left + labelW],
    ['p99 latency, ms (shorter is better)', (r) => r.load.p99Ms, left + labelW + panelW + 60],
  ];
  for (const [title, , x0] of panels) parts.push(`<text x="${x0}" y="${top - 14}" class="h">${escape(title)}</text>`);
  for (const [name, members] of groups) {
    parts.push(`<text x="${left}" y="${y + 12}" class="g">${escape(name)}</text>`);
    y += 18;
    for (const [, value, x0] of panels) {
      const max = Math.max(...members.map(value).filter(Number.isFinite), 1e-9);
      members.forEach((r, i) => {
        const v = value(r);
        const w = Number.isFinite(v) ? Math.max(1, (v / max) * (panelW - 70)) : 0;
        const by = y + i * (barH + gap);
        parts.push(`<rect x="${x0}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${color(seriesName(r))}"/>`);
        parts.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${by + 12}" class="v">${Number.isFinite(v) ? fmt(v) : 'n/a'}</text>`);
      });
    }
    members.forEach((r, i) =>
      parts.push(`<text x="${left + labelW - 8}" y="${y + i * (barH + gap) + 12}" class="s" text-anchor="end">${escape(seriesName(r))}</text>`),
    );
    y += members.length * (barH + gap) + groupGap - 18;
  }
  const width = left + labelW + 2 * panelW + 80;
  const height = y + 24;
  const machine = input.machine ? `${input.machine.nproc} cores, ${input.machine.cpuModel}` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>.t{font-size:15px;font-weight:600}.h{font-size:12px;font-weight:600;fill:#333}.g{font-size:12px;font-weight:600;fill:#111}.s{font-size:11px;fill:#333}.v{font-size:10px;fill:#444}.f{font-size:10px;fill:#777}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="22" class="t">seqserve vs peers: npm run bench, ${escape(input.date.slice(0, 10))}</text>
<text x="${left}" y="38" class="f">${escape(machine)}; each scenario has its own scale; figures from one run (ratios within the run are what count)</text>
${parts.join('\n')}
</svg>
`;
}

/** Writes the chart for `results` to `out` and returns the path. */
export function renderChart(results: ChartInput, out: string): string {
  writeFileSync(out, chartSvg(results));
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const input = process.argv[2] ?? join(root, 'bench', '.tmp', 'results.json');
  const out = process.argv[3] ?? join(root, 'bench', 'chart.svg');
  renderChart(JSON.parse(readFileSync(input, 'utf8')) as ChartInput, out);
  console.log(`wrote ${out}`);
}
