/**
 * The measured reason for a MISS: seqserve (one process) under the missed scenario's load with
 * `node --cpu-prof` (and the hello-world floor the same way, to compare against), then its self time summarised by function and by area (Fastify, Node's
 * internals, seqserve's own code, GC...), in µs per request. The profile is written when the
 * server exits on SIGTERM; the raw .cpuprofile files stay in bench/.tmp/prof.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LoadGenerator } from './loadgen.js';
import * as proc from './processes.js';
import type { Running } from './servers.js';
import type { LoadJob } from './traffic.js';

interface CpuProfile {
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

interface ProfileEntry {
  name: string;
  selfMs: number;
  percent: number;
  usPerRequest: number;
}

export interface ProfileSummary {
  scenario: string;
  requests: number;
  file: string;
  /** True when start-up was cut out (samples of the load window only). */
  loadOnly: boolean;
  byArea: ProfileEntry[];
  topFunctions: ProfileEntry[];
}

/** Where a frame's code lives, coarsely: the areas a fix would be made in. */
function area(url: string, fn: string): string {
  if (fn.startsWith('(')) return fn; // (garbage collector), (program), (idle), (root)
  if (url === '') return '(native: V8 builtins, bindings)';
  if (url.startsWith('node:')) return 'node: internals (http, net, streams)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return `node_modules/${pkg}`;
  if (/\/dist\/(src|routes)\//.test(url)) return 'seqserve (dist/src, dist/routes)';
  return 'other';
}

/**
 * Self time by function and by area over the samples inside `window` (µs on the monotonic clock
 * V8 and process.hrtime share), so the server's start-up is left out; all samples if none fall inside.
 */
function summarise(profile: CpuProfile, requests: number, scenario: string, file: string, window?: [number, number], top = 15): ProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  const inWindow = window && times.some((at) => at >= window[0] && at <= window[1]);
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)!;
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time runs until the next sample
    if (frame.functionName === '(idle)') return;
    if (inWindow && (times[i]! < window[0] || times[i]! > window[1])) return;
    total += us;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const a = area(frame.url, frame.functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
  });
  const entries = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / total, usPerRequest: us / requests }));
  return { scenario, requests, file, loadOnly: Boolean(inWindow), byArea: entries(byArea), topFunctions: entries(byFunction).slice(0, top) };
}

/**
 * Starts a profiled server (`start` gets the profile folder), runs `job` against it, stops it
 * and summarises the profile.
 */
export async function profileScenario(
  start: (cpuProfDir: string) => Promise<Running>,
  scratch: string,
  scenario: string,
  job: (origin: string) => LoadJob,
  lg: LoadGenerator,
): Promise<ProfileSummary> {
  const dir = join(scratch, 'prof', scenario.replace(/[^a-z0-9]+/gi, '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { server, origin } = await start(dir);
  let requests: number;
  let window: [number, number];
  try {
    const from = Number(process.hrtime.bigint() / 1000n);
    const result = await lg.run(job(origin), `prof-${scenario}`);
    window = [from, Number(process.hrtime.bigint() / 1000n)];
    requests = result.total + result.warmupTotal;
  } finally {
    await proc.stop(server, 10_000);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: the server did not exit cleanly on SIGTERM`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  return summarise(profile, requests, scenario, join(dir, file), window);
}

export function formatProfile(p: ProfileSummary, top = 10): string {
  const line = (e: ProfileEntry) => `    ${e.usPerRequest.toFixed(2).padStart(7)} µs/req ${e.percent.toFixed(1).padStart(5)}%  ${e.name}`;
  return [
    `profile of ${p.scenario} (${p.requests.toLocaleString('en-US')} requests; self time, idle excluded, ${p.loadOnly ? 'under load only' : 'start-up included'}; ${p.file}):`,
    '  by area:',
    ...p.byArea.slice(0, 8).map(line),
    '  top functions:',
    ...p.topFunctions.slice(0, top).map(line),
  ].join('\n');
}

/** Total self time per request (idle excluded). */
function usPerRequest(p: ProfileSummary): number {
  return p.byArea.reduce((sum, e) => sum + e.usPerRequest, 0);
}

/**
 * Where `ours` spends more per request than `floor` (the hello-world profile): the functions with
 * the largest differences in µs per request, as one line for the target's detail.
 */
export function compareProfiles(ours: ProfileSummary, floor: ProfileSummary, top = 5): string {
  const floorOf = new Map(floor.topFunctions.map((e) => [e.name, e.usPerRequest]));
  const diffs = ours.topFunctions
    .map((e) => ({ name: e.name, diff: e.usPerRequest - (floorOf.get(e.name) ?? 0) }))
    .sort((a, b) => b.diff - a.diff)
    .slice(0, top)
    .map((d) => `${d.name} +${d.diff.toFixed(2)}`);
  return `profile: ${usPerRequest(ours).toFixed(1)} µs/req CPU in seqserve vs ${usPerRequest(floor).toFixed(1)} in hello-world; most extra: ${diffs.join(', ')} µs/req`;
}

/** The largest self-time areas and functions, as one line for the target's detail. */
export function profileLine(p: ProfileSummary): string {
  const areas = p.byArea.slice(0, 3).map((e) => `${e.name} ${e.usPerRequest.toFixed(1)}`);
  const fns = p.topFunctions.slice(0, 3).map((e) => `${e.name} ${e.usPerRequest.toFixed(1)}`);
  return `profile: ${usPerRequest(p).toFixed(1)} µs/req CPU in seqserve (one process); by area ${areas.join(', ')}; top functions ${fns.join(', ')} (µs/req)`;
}
