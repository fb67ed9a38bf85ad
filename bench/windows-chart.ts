/**
 * The windows bench's chart (bench/windows.svg): windows per second into a numpy array of codes,
 * one group of bars per window length, each bar labelled with its figure. Hand-written SVG, no
 * dependency, in the style of scripts/bench-chart.ts.
 */
import { writeFileSync } from 'node:fs';

export interface ChartBar {
  label: string;
  windowsPerSec: number;
}

const colors = ['#1e88e5', '#90caf9', '#bbdefb', '#66bb6a', '#a5d6a7', '#9e9e9e'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeWindowsChart(path: string, title: string, groups: { title: string; bars: ChartBar[] }[]): void {
  const barH = 18;
  const labelW = 330;
  const plotW = 420;
  const lines: string[] = [];
  let y = 40;
  for (const group of groups) {
    const max = Math.max(...group.bars.map((b) => b.windowsPerSec), 1);
    lines.push(`<text x="10" y="${y}" font-weight="bold">${escape(group.title)}</text>`);
    y += 10;
    for (const [i, bar] of group.bars.entries()) {
      const w = Math.max(1, (bar.windowsPerSec / max) * plotW);
      lines.push(`<text x="10" y="${y + 13}">${escape(bar.label)}</text>`);
      lines.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colors[i % colors.length]}"/>`);
      lines.push(`<text x="${labelW + w + 6}" y="${y + 13}">${Math.round(bar.windowsPerSec).toLocaleString('en-US')}/s</text>`);
      y += barH + 4;
    }
    y += 24;
  }
  const width = labelW + plotW + 110;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
  writeFileSync(path, svg);
}
