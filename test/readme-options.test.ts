/**
 * The README keeps up with the options (src/cli/usage.ts, whose help and parser are one table):
 * every option of `seqserve serve` is named in it, and each page-cache option
 * (src/cli/residency-options.ts) has its row in the settings table, with its variable and default.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { residencyOptions } from '../src/cli/residency-options.js';
import { commands } from '../src/cli/usage.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README and the options', () => {
  it('names every option of seqserve serve', () => {
    const missing = commands.serve.options.filter((o) => o.flag !== 'help' && !readme.includes(`\`--${o.flag}`)).map((o) => `--${o.flag}`);
    assert.deepEqual(missing, [], 'options the README does not name');
  });

  it("has a settings-table row for each page-cache option, with its variable and default (the help's)", () => {
    for (const o of residencyOptions) {
      const row = readme.split('\n').find((l) => l.startsWith('| ') && l.includes(`| \`--${o.flag}`));
      assert.ok(row, `a row for --${o.flag}`);
      const cells = row.split('|').map((c) => c.trim());
      assert.equal(cells[3], `\`${o.env}\``, `--${o.flag}: its variable`);
      assert.equal(cells[4], o.default, `--${o.flag}: its default`);
    }
  });
});
