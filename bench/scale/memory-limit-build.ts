/** The server the memory-limit bench runs, compiled apart from dist/. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, distDir, log, MiB, root, snapDir, SOURCE } from './memory-limit-settings.js';

/**
 * Compiles the server (tsc) into bench/.tmp/memlimit/snapshot/dist, from a `git archive` of
 * MEMLIMIT_SOURCE (default HEAD: edits in progress in the work tree do not leak in; modules
 * resolve from the repository's node_modules above), or from the work tree itself. Returns what it
 * was built from, for the report.
 */
export function buildServer(): string {
  rmSync(snapDir, { recursive: true, force: true });
  mkdirSync(snapDir, { recursive: true });
  let project = join(root, 'tsconfig.build.json');
  if (SOURCE !== 'worktree') {
    const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', SOURCE, 'src', 'routes', 'package.json', 'tsconfig.json', 'tsconfig.build.json'], {
      maxBuffer: 256 * MiB,
    });
    if (archive.status !== 0) throw new Error(`git archive ${SOURCE} failed: ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', snapDir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar -x failed: ${untar.stderr.toString()}`);
    project = join(snapDir, 'tsconfig.build.json');
  }
  const rev = spawnSync('git', ['-C', root, 'rev-parse', '--short', SOURCE === 'worktree' ? 'HEAD' : SOURCE], { encoding: 'utf8' }).stdout.trim();
  log(`compiling the server from ${SOURCE === 'worktree' ? `the work tree (HEAD ${rev} plus local edits)` : `${SOURCE} (${rev})`} into ${distDir}`);
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--outDir', distDir], {
    stdio: ['ignore', 2, 2],
  });
  if (!existsSync(cli)) throw new Error(`tsc produced no ${cli} (exit ${tsc.status})`);
  if (tsc.status !== 0) log('WARNING: tsc reported errors (output above); running what it emitted');
  return SOURCE === 'worktree' ? `work tree at ${rev}` : `${SOURCE} ${rev}`;
}
