/**
 * The whole-genome bench's paths, settings (from the environment) and targets, and its progress
 * log (stderr: stdout holds only the report).
 *
 * Environment: SCALE_SIZE (bases, default 3.1e9), SCALE_DURATION (seconds per throughput run,
 * default 10), SCALE_LOOKUPS (default 1000000), SCALE_STARTS (default 5).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const scaleDir = join(root, 'bench', '.tmp', 'scale');
export const genomeDir = join(scaleDir, 'genome');
export const smallDir = join(scaleDir, 'small');
export const resultsPath = join(root, 'bench', '.tmp', 'scale-results.json');
export const cli = join(root, 'dist', 'src', 'cli', 'main.js');

export const size = Number(process.env.SCALE_SIZE ?? 3.1e9);
export const durationSec = Number(process.env.SCALE_DURATION ?? 10);
export const lookups = Number(process.env.SCALE_LOOKUPS ?? 1_000_000);
export const starts = Number(process.env.SCALE_STARTS ?? 5);
export const STARTUP_TARGET_MS = 500;
export const ANON_TARGET_MIB = 64;
/** "Independent of genome size": the big genome's anonymous memory within 25% of the small one's. */
export const ANON_INDEPENDENCE = 1.25;

export const log = (message: string) => console.error(`scale: ${message}`);
