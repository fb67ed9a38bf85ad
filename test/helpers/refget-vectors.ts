/** The test vectors published in the refget v2 specification: ACGT and the empty sequence. */

export const ACGT = {
  md5: 'f1f8f4bf413b16ad135722aa4591043e',
  ga4gh: 'SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2',
  trunc512: '68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36',
};

export const EMPTY = { md5: 'd41d8cd98f00b204e9800998ecf8427e', ga4gh: 'SQ.z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc' };
