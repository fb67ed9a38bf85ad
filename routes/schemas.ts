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
export const strand = z.enum(['+', '-'], { error: 'must be + or - (write - as is, + as %2B)' }).default('+');
