/**
 * The lint rules that keep the layout honest do fire: a real ESLint run (eslint.config.js) on
 * small files written here, with an import cycle, a floating promise and an over-long function.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { removeDir } from './helpers/fasta-fixtures.js';

const root = join(import.meta.dirname, '..');
const fixtures = 'test/.tmp/lint-fixture';
const dir = join(root, fixtures);

async function ruleIds(files: string[]): Promise<string[]> {
  // test/.tmp is ignored by the config and outside tsconfig.json: let ESLint in, with a default project for the types.
  const eslint = new ESLint({
    cwd: root,
    ignore: false,
    overrideConfig: { languageOptions: { parserOptions: { projectService: { allowDefaultProject: [`${fixtures}/*.ts`] } } } },
  });
  const results = await eslint.lintFiles(files.map((f) => join(dir, f)));
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)} ${m.ruleId ?? m.message}`));
}

describe('lint rules', () => {
  before(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\n\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\n\nexport const b = (): number => 1;\nexport const c = (): number => a();\n");
    writeFileSync(join(dir, 'floating.ts'), 'export function f(): void {\n  Promise.resolve(1);\n}\n');
    const body = Array.from({ length: 85 }, (_, i) => `  n += ${i};`).join('\n');
    writeFileSync(join(dir, 'long.ts'), `export function long(): number {\n  let n = 0;\n${body}\n  return n;\n}\n`);
  });
  after(() => removeDir(dir));

  it('finds an import cycle, a floating promise and a function over 80 lines', async () => {
    const found = await ruleIds(['a.ts', 'b.ts', 'floating.ts', 'long.ts']);
    assert.ok(found.includes('a.ts import-x/no-cycle'), found.join('\n'));
    assert.ok(found.includes('b.ts import-x/no-cycle'), found.join('\n'));
    assert.ok(found.includes('floating.ts @typescript-eslint/no-floating-promises'), found.join('\n'));
    assert.ok(found.includes('long.ts max-lines-per-function'), found.join('\n'));
  });
});
