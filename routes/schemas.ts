/** The zod schemas the routes share: URL coordinates, sequence names, and the answer options (strand, case, mask). */
import { z } from 'zod';

/**
 * A 0-based coordinate in a URL: digits only (no sign, fraction or exponent) and small enough
 * to be exact in a JavaScript number.
 */
export const coordinate = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative whole number')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'must be below 2^53');

export const sequenceName = z.string().min(1, 'must not be empty');

/** Which strand to answer: '-' is the reverse complement. */
const strand = z.enum(['+', '-'], { error: 'must be + or - (write - as is, + as %2B)' }).default('+');

/** Letter case of answered bases (Ensembl's `case`): as stored (default), upper or lower. */
export const letterCase = z.enum(['as-is', 'upper', 'lower'], { error: 'must be as-is, upper or lower' }).default('as-is');

/** Masking of answered bases (Ensembl's `mask`): soft keeps lowercase (default), hard turns it into N. */
export const mask = z.enum(['soft', 'hard'], { error: 'must be soft or hard' }).default('soft');

/** The query options of every route that answers bases: `?strand`, `?case`, `?mask`. */
export const answerOptions = { strand, case: letterCase, mask };
