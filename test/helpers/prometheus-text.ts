/**
 * Reads the Prometheus text exposition strictly (every line must be well-formed, every sample
 * appear once), for the /metrics tests of one process and of a cluster.
 */
import assert from 'node:assert/strict';

/** Samples keyed `name{k="v",...}` with the labels sorted (`name{}` without labels). */
export type Samples = Map<string, number>;

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?(?:[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf))$/;

/** The samples of an exposition (prom-client writes NaN as `Nan`, which Prometheus's ParseFloat reads); throws on a malformed line. */
export function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/, `comment line format: ${line}`);
      continue;
    }
    const m = sampleLine.exec(line);
    assert.ok(m, `sample line format: ${JSON.stringify(line)}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    const key = `${m[1]}{${labels.join(',')}}`;
    assert.ok(!samples.has(key), `sample ${key} appears once`);
    samples.set(key, Number(m[3]));
  }
  return samples;
}

/** Each metric family's type, from its `# TYPE` line. */
export function types(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name!, type!]));
}

export const key = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',')}}`;
