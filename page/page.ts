/**
 * The genome page (served at / by routes/page.ts): the sequence list with each assembly's
 * collection digest and page-cache residency, a region box showing bases, a comparison of assemblies, and an igv.js view whose reference is this server's own /files FASTA. No framework:
 * the page is a list, a form and a <pre>. igv.js (1.5 MB) is imported only after the first
 * paint, so the page is usable before it arrives and without it.
 */
import { startCompareView } from './compare-view.js';
import { getJson, problemOf } from './http.js';
import { igvGoto, startIgvView } from './igv-view.js';
import { residencyLine, startResidencyView } from './residency-view.js';

interface AssemblyInfo {
  name: string;
  default: boolean;
  sequences: number;
  bases: number;
  chrom: string;
  /** The seqcol collection digest; null while its refget digests are being computed. */
  collection: string | null;
  collection_url?: string;
}

interface SequenceInfo {
  name: string;
  length: number;
  aliases: string[];
  md5?: string;
  ga4gh?: string;
}

/** A region resolved to 0-based half-open coordinates on a canonical sequence name. */
interface Shown {
  assembly: string;
  name: string;
  start: number;
  end: number;
  reverse: boolean;
  bases: string;
}

const basesPerLine = 60;
/** Most bases the page lays out; longer regions get a link to the raw answer instead. */
const mostShown = 200_000;
/** Most rows of the sequence list drawn per assembly (a genome may have tens of thousands of contigs). */
const mostRows = 500;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = byId<HTMLFormElement>('region-form');
const assemblySelect = byId<HTMLSelectElement>('assembly');
const regionInput = byId<HTMLInputElement>('region');
const reverseBox = byId<HTMLInputElement>('reverse');
const statusLine = byId<HTMLParagraphElement>('status');
const result = byId<HTMLDivElement>('result');
const resultTitle = byId<HTMLHeadingElement>('result-title');
const basesBox = byId<HTMLPreElement>('bases');

const sequencesOf = new Map<string, SequenceInfo[]>();
let shown: Shown | undefined;
/** Counts regions asked for, so that a slow answer never replaces a newer one. */
let asked = 0;

const grouped = (n: number) => n.toLocaleString('en-US');

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function sequenceTable(assembly: AssemblyInfo, list: SequenceInfo[]): HTMLElement {
  const section = element('section');
  section.className = 'assembly';
  const title = element('h3', `${assembly.name}${assembly.default ? ' (default)' : ''}`);
  const summary = element('p', `${grouped(assembly.sequences)} sequences, ${grouped(assembly.bases)} bases. Collection digest (seqcol): `, 'help');
  if (assembly.collection && assembly.collection_url) {
    const link = element('a', undefined, 'digest collection');
    link.href = assembly.collection_url;
    link.append(element('code', assembly.collection));
    summary.append(link);
  } else summary.append('pending, while the refget digests are computed');
  const table = element('table');
  table.createCaption().textContent = `Sequences of ${assembly.name}`;
  const head = table.createTHead().insertRow();
  for (const h of ['Name', 'Length', 'Aliases', 'Digests']) {
    const th = element('th', h);
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  for (const s of list.slice(0, mostRows)) {
    const row = body.insertRow();
    row.dataset.name = s.name;
    const nameCell = element('th');
    nameCell.scope = 'row';
    // A button, not a link: it shows the start of the sequence here.
    const show = element('button', s.name, 'link');
    show.type = 'button';
    show.setAttribute('aria-label', `Show the start of ${s.name}`);
    show.addEventListener('click', () => {
      assemblySelect.value = assembly.name;
      regionInput.value = `${s.name}:1-${grouped(Math.min(s.length, 600))}`;
      void showRegion();
    });
    nameCell.append(show);
    row.append(nameCell);
    row.insertCell().textContent = grouped(s.length);
    row.cells[1]!.className = 'number';
    row.insertCell().textContent = s.aliases.join(', ');
    const digests = row.insertCell();
    digests.className = 'digest';
    if (s.md5) digests.append(element('span', `md5 ${s.md5}`), element('br'), element('span', `ga4gh ${s.ga4gh ?? ''}`));
    else digests.textContent = '—';
  }
  section.append(title, summary, residencyLine(assembly.name), table);
  if (list.length > mostRows) section.append(element('p', `Showing ${mostRows} of ${grouped(list.length)}; ${assembly.chrom} lists them all.`, 'help'));
  return section;
}

async function loadSequences(): Promise<void> {
  const box = byId<HTMLDivElement>('assemblies');
  try {
    const assemblies = await getJson<AssemblyInfo[]>('/assemblies');
    const lists = await Promise.all(assemblies.map((a) => getJson<SequenceInfo[]>(a.chrom)));
    box.replaceChildren();
    assemblies.forEach((a, i) => {
      sequencesOf.set(a.name, lists[i]!);
      const option = element('option', a.name);
      option.value = a.name;
      option.selected = a.default;
      assemblySelect.append(option);
      box.append(sequenceTable(a, lists[i]!));
    });
    startCompareView(assemblies);
    startResidencyView();
    const first = lists[assemblies.findIndex((a) => a.default)]?.[0];
    if (first && !regionInput.value) regionInput.placeholder = `${first.name}:1-${grouped(Math.min(first.length, 200))}`;
  } catch (e) {
    box.replaceChildren(element('p', `Could not list the sequences: ${(e as Error).message}`, 'error'));
  }
}

/** The canonical sequence of a name or alias in an assembly. */
function findSequence(assembly: string, name: string): SequenceInfo | undefined {
  const list = sequencesOf.get(assembly) ?? [];
  return list.find((s) => s.name === name) ?? list.find((s) => s.aliases.includes(name));
}

const number = (text: string) => Number(text.replaceAll(',', ''));

/**
 * A region typed in the box, as a URL and the coordinates to label lines with. `NAME START END`
 * is 0-based half-open (/chrom/NAME/range); anything else goes to /region as samtools reads it,
 * the server deciding what it means; its coordinates are worked out here for the simple forms.
 */
function parseTyped(assembly: string, text: string): { url: string; name: string; start: number; end: number | undefined } {
  const prefix = `/assemblies/${encodeURIComponent(assembly)}`;
  const bed = /^\s*(\S+)\s+([\d,]+)\s+([\d,]+)\s*$/.exec(text);
  if (bed) {
    const [, name, start, end] = bed as unknown as [string, string, string, string];
    const canonical = findSequence(assembly, name)?.name ?? name;
    return {
      url: `${prefix}/chrom/${encodeURIComponent(name)}/range?start=${number(start)}&end=${number(end)}`,
      name: canonical,
      start: number(start),
      end: number(end),
    };
  }
  const region = text.trim();
  const url = `${prefix}/region/${encodeURIComponent(region)}`;
  const whole = findSequence(assembly, region);
  if (whole) return { url, name: whole.name, start: 0, end: whole.length };
  const simple = /^(.+):([\d,]+)(?:-([\d,]+))?$/.exec(region);
  const found = simple && findSequence(assembly, simple[1]!);
  if (simple && found) {
    const end = simple[3] === undefined ? found.length : Math.min(number(simple[3]), found.length);
    return { url, name: found.name, start: Math.max(number(simple[2]!) - 1, 0), end };
  }
  return { url, name: region, start: 0, end: undefined };
}

async function showRegion(): Promise<void> {
  const assembly = assemblySelect.value;
  const text = regionInput.value.trim();
  if (!text) return;
  const reverse = reverseBox.checked;
  const typed = parseTyped(assembly, text);
  if (typed.end !== undefined && typed.end - typed.start > mostShown) {
    statusLine.className = 'status error';
    statusLine.replaceChildren(
      `That region is ${grouped(typed.end - typed.start)} bases; this page shows up to ${grouped(mostShown)}. `,
      rawLink(typed.url, reverse),
    );
    return;
  }
  statusLine.className = 'status';
  statusLine.textContent = 'Loading…';
  const ask = ++asked;
  const answer = await fetch(withStrand(typed.url, reverse)).catch((e: Error) => e);
  if (ask !== asked) return;
  if (answer instanceof Error || !answer.ok) {
    statusLine.className = 'status error';
    statusLine.textContent = answer instanceof Error ? `The server could not be reached: ${answer.message}` : await problemOf(answer);
    return;
  }
  const bases = await answer.text();
  if (ask !== asked) return;
  const end = typed.end ?? typed.start + bases.length;
  shown = { assembly, name: typed.name, start: typed.start, end, reverse, bases };
  statusLine.textContent = `${grouped(bases.length)} bases.`;
  render(shown);
  void igvGoto(shown);
}

function withStrand(url: string, reverse: boolean): string {
  return reverse ? `${url}${url.includes('?') ? '&' : '?'}strand=-` : url;
}

function rawLink(url: string, reverse: boolean): HTMLAnchorElement {
  const a = element('a', 'Open the bases as plain text');
  a.href = withStrand(url, reverse);
  return a;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeHtml = (s: string) => s.replace(/[&<>]/g, (c) => escapes[c]!);

/** One line of bases: lowercase (soft-masked) runs in <span class="soft">. */
function lineHtml(line: string): string {
  return line.replace(/[a-z]+|[^a-z]+/g, (run) => (run.charCodeAt(0) >= 97 ? `<span class="soft">${escapeHtml(run)}</span>` : escapeHtml(run)));
}

/** The 1-based (forward-strand) position of each line's first base, right-aligned. */
function render({ name, start, end, reverse, bases }: Shown): void {
  const width = grouped(end).length;
  const lines: string[] = [];
  for (let i = 0; i < bases.length; i += basesPerLine) {
    const position = reverse ? end - i : start + i + 1;
    lines.push(`<span class="coord">${grouped(position).padStart(width)}</span> ${lineHtml(bases.slice(i, i + basesPerLine))}`);
  }
  basesBox.innerHTML = lines.join('\n');
  resultTitle.textContent = fastaHeader(name, start, end, reverse).slice(1);
  result.hidden = false;
}

function fastaHeader(name: string, start: number, end: number, reverse: boolean): string {
  return `>${name}:${start + 1}-${end}${reverse ? ' (reverse complement)' : ''}`;
}

function fastaOf({ name, start, end, reverse, bases }: Shown): string {
  const lines = [fastaHeader(name, start, end, reverse)];
  for (let i = 0; i < bases.length; i += basesPerLine) lines.push(bases.slice(i, i + basesPerLine));
  return `${lines.join('\n')}\n`;
}

byId<HTMLButtonElement>('copy').addEventListener('click', async () => {
  if (!shown) return;
  try {
    await navigator.clipboard.writeText(shown.bases);
    statusLine.textContent = `Copied ${grouped(shown.bases.length)} bases.`;
  } catch (e) {
    statusLine.textContent = `Could not copy: ${(e as Error).message}`;
  }
});

byId<HTMLButtonElement>('download').addEventListener('click', () => {
  if (!shown) return;
  const url = URL.createObjectURL(new Blob([fastaOf(shown)], { type: 'text/x-fasta' }));
  const a = element('a');
  a.href = url;
  a.download = `${shown.name}_${shown.start + 1}-${shown.end}${shown.reverse ? '_rc' : ''}.fa`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void showRegion();
});
reverseBox.addEventListener('change', () => {
  if (shown) void showRegion();
});

void loadSequences().then(() => {
  // After the first paint and the list: igv.js is big, and the page works without it.
  requestAnimationFrame(() =>
    setTimeout(() => void startIgvView(assemblySelect.value, sequencesOf.get(assemblySelect.value) ?? [], () => shown !== undefined), 0),
  );
});
