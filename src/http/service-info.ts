/** GA4GH service-info (the shape refget and seqcol share): who serves, what standard, which version. */

export interface ServiceInfoOf {
  /** The standard served: refget, refget-seqcol. */
  artifact: string;
  /** The standard's version. */
  specVersion: string;
  description: string;
  /** seqserve's version. */
  version: string;
}

export function serviceInfo({ artifact, specVersion, description, version }: ServiceInfoOf) {
  return {
    id: `org.seqserve.${artifact.replace(/^refget-/, '')}`,
    name: 'seqserve',
    type: { group: 'org.ga4gh', artifact, version: specVersion },
    description,
    organization: { name: 'seqserve', url: 'https://github.com/seqserve/seqserve' },
    version,
  };
}
