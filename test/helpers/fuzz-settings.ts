/**
 * The fuzz tests' fast-check settings, from the environment: FUZZ_SEED=n picks the seed (printed
 * on failure, with the path to the failing case: FUZZ_PATH=...), FUZZ_RUNS=n the runs per property.
 */
import type { Parameters } from 'fast-check';

export const seed = Number(process.env.FUZZ_SEED ?? 20_261_125);
export const runs = Number(process.env.FUZZ_RUNS ?? 300);
const path = process.env.FUZZ_PATH;
export const settings = (numRuns = runs): Parameters<unknown> => ({ seed, numRuns, includeErrorInReport: true, ...(path ? { path } : {}) });
