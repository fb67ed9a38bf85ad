/**
 * The seqcol JSON Schema this server implements, served in /service-info: the spec's extended
 * schema (names, lengths, sequences and the recommended ancillary attributes) with its qualifiers.
 */

const nameLengthPair = {
  type: 'object',
  properties: {
    length: { type: 'integer', description: 'Number of elements, such as nucleotides or amino acids, in the sequence.' },
    name: { type: 'string', description: 'Human-readable label of the sequence (chromosome name).' },
  },
  required: ['name', 'length'],
};

export const seqcolSchema = {
  $id: 'https://ga4gh.github.io/refget/schemas/seqcol_extended_v1.0.0.json',
  description: 'A collection of biological sequences.',
  type: 'object',
  properties: {
    lengths: {
      type: 'array',
      collated: true,
      description: 'Number of elements, such as nucleotides or amino acids, in each sequence.',
      items: { type: 'integer' },
    },
    names: { type: 'array', collated: true, description: 'Human-readable labels of each sequence (chromosome names).', items: { type: 'string' } },
    sequences: { type: 'array', collated: true, items: { type: 'string', description: 'Refget sequences v2 identifiers for sequences.' } },
    name_length_pairs: {
      type: 'array',
      collated: true,
      description: 'Human-readable labels paired with number of elements in each sequence.',
      items: nameLengthPair,
    },
    sorted_name_length_pairs: {
      type: 'array',
      collated: false,
      description: 'The digests of the name-length pairs, sorted: an order-invariant coordinate system (transient: level 1 only).',
      items: { type: 'string' },
    },
    sorted_sequences: { type: 'array', collated: false, description: 'The sequences digests, sorted: order-invariant content.', items: { type: 'string' } },
  },
  required: ['names', 'lengths', 'sequences'],
  ga4gh: { inherent: ['names', 'sequences'], transient: ['sorted_name_length_pairs'] },
};
