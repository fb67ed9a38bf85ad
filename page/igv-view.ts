/**
 * The page's igv.js view: igv.js's ES module (served by this server from the installed package,
 * never a CDN) imported only when first needed, after the first paint; its reference is the
 * /files FASTA (or 2bit) holding the sequence shown. The page works without it: every failure
 * is said in the view's status line.
 */
import { getJson } from './http.js';

/** What routes/page.ts says igv.js can read: per assembly, its FASTA (or 2bit) files and their sequences. */
interface ReferenceFile {
  fastaURL?: string;
  indexURL?: string;
  twoBitURL?: string;
  compressedIndexURL?: string;
  sequences: string[];
}

const igvStatus = document.getElementById('igv-status') as HTMLParagraphElement;
const igvBox = document.getElementById('igv') as HTMLDivElement;

interface IgvBrowser {
  loadGenome(reference: object): Promise<unknown>;
  search(locus: string): Promise<unknown>;
}
interface IgvModule {
  default: { createBrowser(div: HTMLElement, config: object): Promise<IgvBrowser> };
}

let igv: Promise<{ module: IgvModule; files: Record<string, ReferenceFile[]> } | undefined> | undefined;
let igvBrowser: IgvBrowser | undefined;
let igvReference: ReferenceFile | undefined;
/** igv.js moves one at a time, in the order asked. */
let igvQueue: Promise<void> = Promise.resolve();

function referenceOf(files: Record<string, ReferenceFile[]>, assembly: string, name: string): ReferenceFile | undefined {
  return files[assembly]?.find((f) => f.sequences.includes(name));
}

function igvConfig(file: ReferenceFile, assembly: string) {
  const { fastaURL, indexURL, twoBitURL, compressedIndexURL } = file;
  // The file's name under /files (ASSEMBLY/NAME for a subfolder's): what igv.js shows as the genome.
  const id = decodeURIComponent((fastaURL ?? twoBitURL ?? '').replace(/^\/files\//, ''));
  const name = `${assembly}: ${id}`;
  if (twoBitURL) return { id, name, twoBitURL };
  return compressedIndexURL ? { id, name, fastaURL, indexURL, compressedIndexURL } : { id, name, fastaURL, indexURL };
}

function igvSays(text: string, state: string): void {
  igvStatus.textContent = text;
  document.body.dataset.igv = state;
}

/** igv.js's module (served by this server from the installed package) and the files it can read. */
function loadIgv() {
  const moduleUrl = document.querySelector<HTMLMetaElement>('meta[name="seqserve-igv"]')?.content ?? '';
  igv ??= (async () => {
    try {
      igvSays('Loading the genome view…', 'loading');
      const [module, files] = await Promise.all([import(moduleUrl) as Promise<IgvModule>, getJson<Record<string, ReferenceFile[]>>('/page/references.json')]);
      return { module, files };
    } catch (e) {
      igvSays(`The genome view could not be loaded (${(e as Error).message}); the bases above work without it.`, 'failed');
      return undefined;
    }
  })();
  return igv;
}

/** Moves igv.js to a locus, starting it or switching its reference file when needed. */
async function igvShow(assembly: string, name: string, locus: string): Promise<void> {
  const loaded = await loadIgv();
  if (!loaded) return;
  const file = referenceOf(loaded.files, assembly, name);
  if (!file) return igvSays(`The genome view reads FASTA files under /files; ${name} is not in one.`, 'no-reference');
  try {
    if (!igvBrowser) {
      igvBrowser = await loaded.module.default.createBrowser(igvBox, {
        reference: igvConfig(file, assembly),
        locus,
        loadDefaultGenomes: false,
        showCursorGuide: false,
      });
    } else {
      if (file !== igvReference) await igvBrowser.loadGenome(igvConfig(file, assembly));
      await igvBrowser.search(locus);
    }
    igvReference = file;
    igvSays(`Genome view of ${file.fastaURL ?? file.twoBitURL}: drag to move; scroll, or the + and − buttons, zoom down to single bases.`, 'ready');
    document.body.dataset.igvLocus = locus;
  } catch (e) {
    igvSays(`The genome view could not show ${locus}: ${(e as Error).message}`, 'failed');
  }
}

export function igvGoto({ assembly, name, start, end }: { assembly: string; name: string; start: number; end: number }): Promise<void> {
  igvQueue = igvQueue.then(() => igvShow(assembly, name, `${name}:${start + 1}-${end}`));
  return igvQueue;
}

/** Starts the view on the first sequence igv.js can read, unless the person has already asked for a region. */
export async function startIgvView(assembly: string, sequences: { name: string; length: number }[], asked: () => boolean): Promise<void> {
  const loaded = await loadIgv();
  if (!loaded || igvBrowser || asked()) return;
  // The first sequence igv.js can read (a raw file it cannot).
  const first = sequences.find((s) => referenceOf(loaded.files, assembly, s.name));
  if (!first) return igvSays('No sequence of this assembly is in a FASTA file under /files: no genome view.', 'no-reference');
  await igvGoto({ assembly, name: first.name, start: 0, end: Math.min(first.length, 10_000) });
}
