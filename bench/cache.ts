/**
 * The cache group: seqserve alone next to nginx's proxy_cache in front of it (every request a
 * HIT), for 100 bp and 10 kbp ranges of the bench genome. The cache is filled first with each
 * request of the list once (the server's Cache-Control decides: no proxy_cache_valid), then wrk
 * cycles through the same list; the X-Cache-Status of a sample is checked to be HIT and its bytes
 * against the generated bases. nginx runs with one worker, pinned to the server cores as seqserve is.
 *
 * usage: node --import tsx bench/cache.ts        (BENCH_CACHE=0 skips it; BENCH_DURATION seconds)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { ensureGenome } from './genome.js';
import { nginxVersion } from './nginx.js';
import * as proc from './processes.js';
import { randomRequests, type HttpRequest } from './traffic.js';
import { runWrk } from './wrk.js';

const root = join(import.meta.dirname, '..');
const scratch = join(root, 'bench', '.tmp', 'cache');
const durationSec = Number(process.env.BENCH_DURATION ?? 5);
const log = (m: string) => console.error(`bench cache: ${m}`);

function nginxConfig(prefix: string, port: number, upstream: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
user root;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  proxy_cache_path ${prefix}/cache levels=1:2 keys_zone=seq:64m max_size=2g inactive=60m use_temp_path=off;
  upstream seqserve { server ${upstream}; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://seqserve;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache seq;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

function get(url: string): Promise<{ status: number; cache: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, cache: String(res.headers['x-cache-status']), body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

async function main(): Promise<void> {
  if (process.env.BENCH_CACHE === '0') return void log('skipped (BENCH_CACHE=0)');
  if (!nginxVersion()) return void log('skipped: nginx is not installed');
  proc.killChildrenOnExit();
  const genome = ensureGenome(join(scratch, '..', 'genome'));
  const port = await proc.freePort();
  const server = proc.spawnPinned(proc.SERVER_CORES, process.execPath, [
    '--import',
    'tsx',
    join(root, 'src', 'cli', 'main.ts'),
    'serve',
    '--data',
    genome.dir,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--workers',
    '1',
    '--no-access-log',
    '--log-level',
    'warn',
  ]);
  const origin = `http://127.0.0.1:${port}`;
  await proc.waitForOk(`${origin}/readyz`, server, 120_000);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const nginxPort = await proc.freePort();
  writeFileSync(join(scratch, 'nginx.conf'), nginxConfig(scratch, nginxPort, `127.0.0.1:${port}`));
  const nginx = proc.spawnPinned(proc.SERVER_CORES, 'nginx', ['-p', scratch, '-e', join(scratch, 'error.log'), '-c', join(scratch, 'nginx.conf')]);
  const cached = `http://127.0.0.1:${nginxPort}`;
  try {
    await proc.waitForOk(`${cached}/healthz`, nginx, 10_000);
    console.log(`| answer | seqserve alone req/s | through nginx proxy_cache (HIT) req/s | ratio |`);
    console.log(`| --- | ---: | ---: | ---: |`);
    for (const [label, span] of [
      ['100 bp range', 100],
      ['10 kbp range', 10_000],
    ] as const) {
      const requests: HttpRequest[] = randomRequests({ kind: 'seqserve', name: genome.rawName }, genome.length, span, 7, 2000);
      log(`${label}: filling the cache with ${requests.length} answers`);
      for (const r of requests) await get(`${cached}${r.path}`);
      for (const r of requests.slice(0, 20)) {
        const a = await get(`${cached}${r.path}`);
        const q = new URL(r.path, cached).searchParams;
        const expected = genome.bases.subarray(Number(q.get('start')), Number(q.get('end')));
        if (a.status !== 200 || a.cache !== 'HIT' || !a.body.equals(expected))
          throw new Error(`${r.path}: ${a.status} ${a.cache}, bytes ${a.body.equals(expected) ? 'ok' : 'WRONG'}`);
      }
      const job = { requests, connections: 32, durationSec, warmupSec: 1 };
      const alone = await runWrk({ ...job, origin }, scratch, `alone-${span}`);
      const hit = await runWrk({ ...job, origin: cached }, scratch, `hit-${span}`);
      if (alone.non2xx + hit.non2xx + alone.errors + hit.errors > 0) throw new Error(`${label}: non-2xx or errors`);
      console.log(
        `| ${label} | ${Math.round(alone.requestsPerSec)} | ${Math.round(hit.requestsPerSec)} | ${(hit.requestsPerSec / alone.requestsPerSec).toFixed(2)} |`,
      );
    }
  } finally {
    await proc.stop(nginx);
    await proc.stop(server);
  }
}

await main();
