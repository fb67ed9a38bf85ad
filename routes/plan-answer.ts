/**
 * How POST /batch and GET /random send a RegionPlan: as text (PlanWriter: JSON, FASTA, BED) or
 * as NumPy arrays (WindowArrays: npy, npz), in one write when small, streamed as the socket
 * drains when large. Also the query options the two share for machine-learning answers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { noAugmentation, type Augmentation } from '../src/batch/augment.js';
import { isArrayFormat, mediaTypes, type OutputFormat } from '../src/batch/output-format.js';
import { PlanStream, type AnswerWriter } from '../src/batch/plan-stream.js';
import type { RegionPlan } from '../src/batch/plan.js';
import { WindowArrays } from '../src/batch/window-arrays.js';
import type { WindowEncoding } from '../src/batch/window-encoding.js';
import { PlanWriter } from '../src/batch/write.js';
import { badRequest } from '../src/core/errors.js';
import { sendEncoded } from '../src/http/cache.js';
import type { CaseMask } from '../src/store/case-mask.js';
import type { BasesRouteOptions } from './answer-bases.js';

/** A whole number in a query string, from min to max. */
export const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${what} must be from ${min} to ${max}`);

/** `?encoding`, `?rc` and `?shift`: how windows are encoded and augmented (npy and npz). */
export const windowOptions = {
  encoding: z
    .enum(['ascii', 'codes', 'onehot'], { error: 'must be ascii, codes or onehot' })
    .optional()
    .describe('npy/npz only: ascii letters, codes A=0 C=1 G=2 T=3 other=4, or onehot (…, 4) in A C G T order'),
  rc: z
    .enum(['none', 'random'], { error: 'must be none or random' })
    .default('none')
    .describe('random: each window reverse-complemented with probability 1/2, by seed; the strand says which'),
  shift: wholeNumber(0, 1_000_000, 'shift')
    .default(0)
    .describe('move each window by a random whole number of bases in [-shift, shift], by seed, kept inside its sequence'),
};

export interface PlanAnswer extends CaseMask {
  format: OutputFormat;
  /** FASTA line width. */
  width: number;
  encoding?: WindowEncoding | undefined;
  /** JSON only: what comes before the first region. */
  jsonPrefix?: string;
  /** npy/npz: bases per window (needed when the plan is empty). */
  length?: number;
}

/** The augmentation asked for, or a 400 when `encoding` comes without an array format. */
export function augmentationOf(
  query: { rc: 'none' | 'random'; shift: number; format?: OutputFormat; encoding?: WindowEncoding },
  format: OutputFormat,
  seed: number,
): Augmentation {
  if (query.encoding !== undefined && !isArrayFormat(format)) {
    throw badRequest(`encoding=${query.encoding} applies to format=npy or npz only (the format is ${format})`);
  }
  return query.rc === 'random' || query.shift > 0 ? { rc: query.rc === 'random', shift: query.shift, seed } : noAugmentation;
}

export function sendPlan(request: FastifyRequest, reply: FastifyReply, plan: RegionPlan, answer: PlanAnswer, route: BasesRouteOptions): FastifyReply {
  const { store, streamThreshold, cache } = route;
  const { format } = answer;
  reply.header('content-type', mediaTypes[format]);
  let writer: AnswerWriter & { all(): Buffer };
  let size: number;
  if (isArrayFormat(format)) {
    const length = answer.length ?? (plan.count > 0 ? plan.ends[0]! - plan.starts[0]! : 0);
    const arrays = new WindowArrays(store, plan, { format, encoding: answer.encoding ?? 'ascii', length, case: answer.case, mask: answer.mask });
    [writer, size] = [arrays, arrays.byteLength];
    if (size > streamThreshold) reply.header('content-length', size);
  } else {
    writer = new PlanWriter(store, plan, { format, width: answer.width, case: answer.case, mask: answer.mask, jsonPrefix: answer.jsonPrefix });
    size = plan.totalBases() + plan.count;
  }
  if (plan.count <= 8192 && size <= streamThreshold) {
    const all = writer.all();
    return sendEncoded(request, reply, all, cache, all.length);
  }
  return sendEncoded(request, reply, new PlanStream(writer), cache, size);
}
