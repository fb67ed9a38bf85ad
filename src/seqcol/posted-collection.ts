/**
 * A level 2 collection sent by a client (POST /comparison/{digest}), validated: arrays only,
 * each attribute of the schema with its element type, and the collated ones of one length.
 * Attributes outside the schema are compared too, as the spec's comparison does; the ancillary
 * ones the server makes for its own collections are made here when left out.
 */
import { z } from 'zod';
import { inTurns, type Steps } from '../core/steps.js';
import { badRequest } from '../core/errors.js';
import type { Json } from './canonical-json.js';
import { collectionDigest, namesAndLengths } from './collection.js';
import type { Arrays } from './comparison.js';

const refgetId = z.string().regex(/^SQ\.[A-Za-z0-9_-]{32}$/, 'a refget identifier, SQ. and 32 base64url characters');
const pair = z.object({ name: z.string(), length: z.number().int().nonnegative() }).strict();
const known = {
  names: z.array(z.string()),
  lengths: z.array(z.number().int().nonnegative()),
  sequences: z.array(refgetId),
  name_length_pairs: z.array(pair),
  sorted_name_length_pairs: z.array(z.string()),
  sorted_sequences: z.array(refgetId),
};
const collated = ['names', 'lengths', 'sequences', 'name_length_pairs'] as const;

/** JSON values of any kind; the checks below give the messages. */
export const postedCollectionBody = z
  .record(z.string(), z.unknown())
  .describe('A level 2 sequence collection: {"names": [...], "lengths": [...], "sequences": ["SQ...."], ...}');

export interface PostedCollection {
  arrays: Arrays;
  /** Its top-level digest, when it holds the inherent attributes (names and sequences). */
  digest: string | null;
}

/** Validated attribute by attribute, letting requests through between them (50,000 elements each take a few ms). */
export function parsePostedCollection(body: Record<string, unknown>): Promise<PostedCollection> {
  return inTurns(parseSteps(body));
}

function* parseSteps(body: Record<string, unknown>): Steps<PostedCollection> {
  const arrays: Record<string, readonly Json[]> = {};
  for (const [name, value] of Object.entries(body)) {
    const schema = (known as Record<string, z.ZodType>)[name] ?? z.array(z.json());
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.length > 0 ? ` (element ${issue.path.join('.')})` : '';
      throw badRequest(`attribute "${name}" of the posted collection${at}: ${issue.message}; a level 2 collection maps each attribute to an array`);
    }
    arrays[name] = parsed.data as readonly Json[];
    yield;
  }
  if (Object.keys(arrays).length === 0)
    throw badRequest('the posted collection has no attributes; send a level 2 collection such as {"names": [...], "lengths": [...], "sequences": [...]}');
  const sizes = collated.filter((a) => a in arrays).map((a) => `${arrays[a]!.length} ${a}`);
  if (new Set(collated.filter((a) => a in arrays).map((a) => arrays[a]!.length)).size > 1) {
    throw badRequest(`the collated attributes of the posted collection differ in length (${sizes.join(', ')}); each holds one element per sequence`);
  }
  deriveAncillary(arrays);
  yield;
  const { names, sequences } = arrays;
  const digest = names && sequences ? collectionDigest(names as string[], sequences as string[]) : null;
  return { arrays, digest };
}

/**
 * The recommended ancillary attributes a client left out, made from what it sent (as the server
 * makes its own), so that posting {names, lengths, sequences} compares as a served collection does.
 */
function deriveAncillary(arrays: Record<string, readonly Json[]>): void {
  const { names, lengths, sequences } = arrays as { names?: string[]; lengths?: number[]; sequences?: string[] };
  if (names && lengths && !arrays.name_length_pairs) arrays.name_length_pairs = namesAndLengths(names, lengths);
  if (sequences && !arrays.sorted_sequences) arrays.sorted_sequences = [...sequences].sort();
}
