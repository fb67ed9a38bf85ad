/**
 * "Compare assemblies" on the genome page: two assemblies' seqcol collections compared by the
 * server (GET /comparison/A/B), said in words by the same verdict as `seqserve compare`
 * (src/seqcol/verdict.ts, bundled in), with the spec's counts per attribute beneath.
 */
import type { Comparison } from '../src/seqcol/comparison.js';
import { verdictOf, type Compared } from '../src/seqcol/verdict.js';
import { getJson } from './http.js';

export interface ComparedAssembly {
  name: string;
  /** The seqcol digest; null while its refget digests are being computed. */
  collection: string | null;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** Fills the two selects with the assemblies that have a digest, and answers the form. */
export function startCompareView(assemblies: readonly ComparedAssembly[]): void {
  const form = byId<HTMLFormElement>('compare-form');
  const out = byId<HTMLDivElement>('compare-result');
  const selects = [byId<HTMLSelectElement>('compare-a'), byId<HTMLSelectElement>('compare-b')] as const;
  const digested = assemblies.filter((a) => a.collection !== null);
  if (digested.length === 0) {
    out.replaceChildren(
      element('p', 'The assemblies have no collection digest yet (their refget digests are being computed): reload the page shortly.', 'help'),
    );
    return;
  }
  selects.forEach((select, side) => {
    for (const a of digested) {
      const option = element('option', a.name);
      option.value = a.collection!;
      select.append(option);
    }
    select.selectedIndex = Math.min(side, digested.length - 1);
  });
  form.hidden = false;
  let asked = 0;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const mine = ++asked;
    const [a, b] = selects.map((s) => ({ name: s.selectedOptions[0]?.textContent ?? '', digest: s.value }));
    out.replaceChildren(element('p', `Comparing ${a!.name} with ${b!.name}…`, 'status'));
    compare(a!, b!).then(
      (shown) => mine === asked && out.replaceChildren(...shown),
      (e: Error) => mine === asked && out.replaceChildren(element('p', `Could not compare: ${e.message}`, 'error')),
    );
  });
}

async function compare(a: { name: string; digest: string }, b: { name: string; digest: string }): Promise<HTMLElement[]> {
  const [comparison, left, right] = await Promise.all([
    getJson<Comparison>(`/comparison/${a.digest}/${b.digest}`),
    getJson<Compared>(`/collection/${a.digest}?level=2`),
    getJson<Compared>(`/collection/${b.digest}?level=2`),
  ]);
  const verdict = verdictOf(left, right, comparison);
  const headline = element('p', `${a.name} (A) and ${b.name} (B): ${verdict.headline}`, 'verdict');
  headline.dataset.kind = verdict.kind;
  const details = element('ul', undefined, 'verdict-details');
  for (const line of verdict.details) details.append(element('li', line));
  const shown: HTMLElement[] = [headline, details, countsTable(comparison)];
  if (verdict.chromAlias) {
    shown.push(
      element('p', `A chromAlias.txt for ${b.name}'s folder that serves ${a.name}'s names there:`, 'help'),
      element('pre', verdict.chromAlias, 'bases'),
    );
  }
  return shown;
}

/** The spec's array_elements, one row per attribute both collections have. */
function countsTable({ attributes, array_elements: counts }: Comparison): HTMLTableElement {
  const table = element('table', undefined, 'counts');
  table.createCaption().textContent = 'Elements per attribute (GET /comparison)';
  const head = table.createTHead().insertRow();
  for (const h of ['Attribute', 'A', 'B', 'Both', 'Same order']) {
    const th = element('th', h);
    th.scope = 'col';
    head.append(th);
  }
  const body = table.createTBody();
  for (const attribute of attributes.a_and_b) {
    const row = body.insertRow();
    row.dataset.attribute = attribute;
    const name = element('th', attribute);
    name.scope = 'row';
    row.append(name);
    for (const n of [counts.a_count[attribute], counts.b_count[attribute], counts.a_and_b_count[attribute]]) {
      const cell = row.insertCell();
      cell.textContent = String(n ?? '—');
      cell.className = 'number';
    }
    const order = counts.a_and_b_same_order[attribute];
    row.insertCell().textContent = order === null || order === undefined ? '—' : order ? 'yes' : 'no';
  }
  return table;
}
