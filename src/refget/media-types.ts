/**
 * Content negotiation for the refget routes. The specification lets each media type "degrade"
 * (text/vnd.ga4gh.refget.v2.0.0+plain → text/plain) and asks for 406 when nothing the client
 * accepts can be served. Refget v1 clients (and the compliance suite) send their own vendor
 * types; they get their type back.
 */

export const sequenceTypes = {
  answers: ['text/vnd.ga4gh.refget.v2.0.0+plain', 'text/vnd.ga4gh.refget.v1.0.0+plain', 'text/vnd.ga4gh.seq.v1.0.0+plain'],
  generic: ['text/plain'],
} as const;

export const jsonTypes = {
  answers: ['application/vnd.ga4gh.refget.v2.0.0+json', 'application/vnd.ga4gh.refget.v1.0.0+json', 'application/vnd.ga4gh.seq.v1.0.0+json'],
  generic: ['application/json'],
} as const;

interface MediaRange {
  type: string;
  q: number;
}

/** The media ranges of an Accept header with their weights, parameters other than q dropped. */
function mediaRanges(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q === undefined ? 1 : Number(q.slice(2)) };
    })
    .filter((r) => r.type !== '' && r.q > 0);
}

function matches(range: string, type: string): boolean {
  if (range === '*/*') return true;
  if (range.endsWith('/*')) return type.startsWith(range.slice(0, -1));
  return range === type;
}

/**
 * The media type to answer with, or undefined for 406. No Accept header, wildcards and the
 * generic type get the first (current) vendor type; a vendor type asked for by name is answered.
 */
export function negotiate(accept: string | undefined, offers: { answers: readonly string[]; generic: readonly string[] }): string | undefined {
  const preferred = offers.answers[0]!;
  if (accept === undefined || accept.trim() === '') return preferred;
  let best: { type: string; q: number } | undefined;
  for (const range of mediaRanges(accept)) {
    if (best && range.q <= best.q) continue;
    const named = offers.answers.find((t) => t === range.type);
    if (named) best = { type: named, q: range.q };
    else if ([...offers.answers, ...offers.generic].some((t) => matches(range.type, t))) best = { type: preferred, q: range.q };
  }
  return best?.type;
}
