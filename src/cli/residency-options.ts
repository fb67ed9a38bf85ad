/** The options of `seqserve serve` that keep the genome in the page cache: --lock, --keep-warm and the residency warning. */
import { defaults } from '../data/config.js';

export const residencyOptions: { flag: string; value: string; help: string; env: string; default: string }[] = [
  {
    flag: 'lock',
    value: 'WHAT',
    help: 'lock these in memory at startup (mlock), so they never leave the page cache: all, or a comma-separated list of ASSEMBLY, ASSEMBLY:SEQUENCE or SEQUENCE (of the default assembly). Needs CAP_IPC_LOCK or a large enough ulimit -l; with --workers the primary locks once',
    env: 'SEQSERVE_LOCK',
    default: 'none',
  },
  {
    flag: 'keep-warm',
    value: 'WHAT',
    help: 'without privileges: re-read the pages of these (same names as --lock) that left the page cache, in the background at a bounded rate',
    env: 'SEQSERVE_KEEP_WARM',
    default: 'none',
  },
  {
    flag: 'keep-warm-rate',
    value: 'MIB',
    help: "the keeper's most re-read MiB per second",
    env: 'SEQSERVE_KEEP_WARM_RATE',
    default: String(defaults.keepWarmRate),
  },
  {
    flag: 'keep-warm-interval',
    value: 'MS',
    help: 'how often the keeper looks for pages that left the page cache',
    env: 'SEQSERVE_KEEP_WARM_INTERVAL',
    default: String(defaults.keepWarmInterval),
  },
  {
    flag: 'residency-warn',
    value: 'PERCENT',
    help: 'log a warning when a preloaded, locked or kept assembly has less of its bytes in the page cache; 0 never',
    env: 'SEQSERVE_RESIDENCY_WARN',
    default: String(defaults.residencyWarn),
  },
  {
    flag: 'residency-check-interval',
    value: 'MS',
    help: 'how often that residency is checked',
    env: 'SEQSERVE_RESIDENCY_CHECK_INTERVAL',
    default: String(defaults.residencyCheckInterval),
  },
];
