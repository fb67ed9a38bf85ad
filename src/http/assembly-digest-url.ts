/**
 * An assembly named by its seqcol digest: /assemblies/{digest}/... is routed as
 * /assemblies/{name}/.... The per-assembly routes are literal paths registered at startup, so
 * the URL is rewritten before routing rather than matched by another route. A real assembly
 * name always wins over a digest of the same spelling.
 */
import { seqcolDigest } from '../seqcol/collection.js';

const prefix = '/assemblies/';

/** `nameOf(segment)`: the assembly a digest names, or undefined (not a digest served, or a real assembly name). */
export function assemblyDigestRewriter(nameOf: (digest: string) => string | undefined): (url: string) => string {
  return (url) => {
    if (!url.startsWith(prefix)) return url;
    const rest = url.slice(prefix.length);
    const end = rest.search(/[/?]/);
    const segment = end < 0 ? rest : rest.slice(0, end);
    if (!seqcolDigest.test(segment)) return url;
    const name = nameOf(segment);
    return name === undefined ? url : `${prefix}${name}${end < 0 ? '' : rest.slice(end)}`;
  };
}
