/**
 * Bundles the genome page (page/page.ts, page/page.css, page/index.html) for routes/page.ts:
 * `node page/build.mjs` writes them minified into dist/page/ (what `npm run build` ships);
 * routes/page.ts calls buildPage() in memory when running from source or when dist/page/ is
 * missing. igv.js is not bundled: the page imports it lazily from node_modules/igv/dist/.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The page's three files, built: { 'index.html', 'page.js', 'page.css' } → bytes. */
export async function buildPage() {
  const common = { bundle: true, minify: true, write: false, logLevel: 'silent', legalComments: 'none' };
  const [js, css, html] = await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(here, 'page.ts')], format: 'esm', target: 'es2022', tsconfig: join(here, 'tsconfig.json') }),
    esbuild.build({ ...common, entryPoints: [join(here, 'page.css')] }),
    readFile(join(here, 'index.html')),
  ]);
  return { 'index.html': html, 'page.js': Buffer.from(js.outputFiles[0].contents), 'page.css': Buffer.from(css.outputFiles[0].contents) };
}

/** Writes the built page into outdir (default dist/page/ of this package). */
export async function writePage(outdir = join(here, '..', 'dist', 'page')) {
  const files = await buildPage();
  await mkdir(outdir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(outdir, name), bytes)));
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = await writePage(process.argv[2]);
  console.log(`built the genome page into ${outdir}`);
}
