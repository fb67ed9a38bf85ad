/**
 * Case and masking of answered bases, as Ensembl's REST API offers them (`?case=`, `?mask=`).
 * Pure: never writes into its input, which may be a read-only view of a shared mapping.
 */

/** `as-is` keeps bases as stored; `upper`/`lower` convert ASCII letters. */
type CaseOption = 'as-is' | 'upper' | 'lower';
/** `soft` keeps soft-masked (lowercase) bases; `hard` turns them into N. */
type MaskOption = 'soft' | 'hard';

export interface CaseMask {
  case: CaseOption;
  mask: MaskOption;
}

/** True when `option` leaves every byte as stored, so no transform (and no copy) is needed. */
export function isAsStored(option: CaseMask): boolean {
  return option.case === 'as-is' && option.mask === 'soft';
}

const a = 0x61;
const z = 0x7a;
const A = 0x41;
const Z = 0x5a;
const N = 0x4e;

// mask=hard turns every lowercase letter a-z into 'N' BEFORE case applies; then case=upper/lower converts ASCII letters.
function table(option: CaseMask): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    let b = c;
    if (option.mask === 'hard' && b >= a && b <= z) b = N;
    if (option.case === 'upper' && b >= a && b <= z) b -= 0x20;
    if (option.case === 'lower' && b >= A && b <= Z) b += 0x20;
    t[c] = b;
  }
  return t;
}

const tables = new Map<string, Uint8Array>();
for (const c of ['as-is', 'upper', 'lower'] as const) {
  for (const m of ['soft', 'hard'] as const) tables.set(`${c}/${m}`, table({ case: c, mask: m }));
}

/**
 * `bytes` with case and masking applied: `bytes` itself when the option keeps bases as stored,
 * otherwise a new buffer (the input is never written to).
 */
export function applyCaseMask(bytes: Buffer, option: CaseMask): Buffer {
  if (isAsStored(option)) return bytes;
  const t = tables.get(`${option.case}/${option.mask}`)!;
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]!]!;
  return out;
}
