/** GET /chrom and /chrom/NAME: the sequences of an assembly, their lengths, aliases and digests. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unknownSequence } from '../src/core/errors.js';
import { ChangeClock, contentTag, sendJson, type CachePolicy } from '../src/http/cache.js';
import type { SequenceDigests } from '../src/refget/digests.js';
import type { MappedSequence } from '../src/store/mapped-sequence.js';
import type { SequenceStore } from '../src/store/sequence-store.js';
import type { RefgetItem } from '../src/refget/refget-item.js';
import { sequenceName } from './schemas.js';

/**
 * GET /chrom and /chrom/:name: what sequences exist, under which other names, how they are
 * stored, and their refget digests (md5, ga4gh) once known (read from a sidecar at startup, or
 * computed in the background: an entry gains them when its file is done).
 */
export const chromRoutes: FastifyPluginAsync<{ store: SequenceStore; cache: CachePolicy }> = async (app, { store, cache }) => {
  const aliasNames = (s: MappedSequence) => store.aliasesOf(s).map((a) => a.alias);
  // The index is the app's (src/data/served-data.ts); a reload replaces it, so it is asked for each time.
  const index = () => (app.hasDecorator('digests') ? app.digests : undefined);
  // digestsOf reads only the item's record (its file and name), which is all a sequence has to give.
  const digestsOf = (s: MappedSequence): Partial<SequenceDigests> => {
    const d = index()?.digestsOf({ record: s.record } as RefgetItem);
    return d ? { md5: d.md5, ga4gh: d.ga4gh } : {};
  };

  // Serialised once per state of the data: with tens of thousands of contigs, stringifying per
  // request would block. A state is the store's sequences (a reload swaps them) and the digests
  // known so far (they arrive file by file, then `done`).
  const serialize = () => JSON.stringify(store.sequences.map((s) => ({ name: s.name, length: s.length, aliases: aliasNames(s), ...digestsOf(s) })));
  // Its ETag is a digest of the body, made with it, so it changes when digests arrive; the clock
  // gives Last-Modified the time the body last changed (src/http/cache.ts).
  const clock = new ChangeClock();
  const made = () => {
    const body = serialize();
    const tag = contentTag(body);
    return { body, tag, lastModifiedMs: clock.stamp(tag, store.newestMtimeMs) };
  };
  let list = made();
  let listed = { index: index(), known: index()?.known, swaps: 0 };
  let swaps = 0;
  const current = () => {
    const now = index();
    if (listed.index !== now || listed.known !== now?.known || listed.swaps !== swaps) {
      list = made();
      listed = { index: now, known: now?.known, swaps };
    }
    return list;
  };
  // Made ahead when the digests are all in, not on the next request (a reload starts a new index).
  const whenDone = () => void index()?.done.then(() => setImmediate(current));
  store.onSwap(() => {
    swaps++;
    // The app starts the new digest index right after swapping the stores, in the same turn.
    setImmediate(() => {
      current();
      whenDone();
    });
  });
  whenDone();

  app.get('/chrom', (request, reply) => {
    const { body, tag, lastModifiedMs } = current();
    return sendJson(request, reply, body, cache, { tag, lastModifiedMs, cacheControl: cache.cacheControl });
  });

  app.withTypeProvider<ZodTypeProvider>().get('/chrom/:name', { schema: { params: z.object({ name: sequenceName }) } }, (request, reply) => {
    // Asked by an alias, the answer is the canonical record: its name tells the client which sequence it got.
    const sequence = store.get(request.params.name);
    if (!sequence) throw unknownSequence(request.params.name);
    const { name, length, file, format, offset, lineBases, lineBytes } = sequence.record;
    // A .2bit has no lines: its layout is the packed bases, N and mask blocks (not .fai columns).
    const layout = format === '2bit' ? {} : { offset, lineBases, lineBytes };
    const body = JSON.stringify({ name, length, format, file: file.split('/').pop(), ...layout, aliases: aliasNames(sequence), ...digestsOf(sequence) });
    // Aliases and digests change with the list: its clock says when (current() brings it up to date).
    const lastModifiedMs = Math.max(current().lastModifiedMs, sequence.lastModifiedMs);
    return sendJson(request, reply, body, cache, { lastModifiedMs, cacheControl: cache.cacheControl });
  });
};
