/**
 * Asking POST /batch through app.inject, and reading the JSON answer's sequences array.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/** One answer of the JSON form. */
interface Entry {
  region: string;
  name: string;
  start: number;
  end: number;
  strand: '+' | '-';
  sequence: string;
}

export async function post(app: FastifyInstance, url: string, body: unknown, contentType = 'application/json', accept?: string) {
  return app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    headers: { 'content-type': contentType, ...(accept ? { accept } : {}) },
  });
}

export function sequencesOf(body: string): Entry[] {
  const parsed = JSON.parse(body) as { sequences: Entry[] };
  assert.ok(Array.isArray(parsed.sequences), `the answer has a sequences array: ${body.slice(0, 200)}`);
  return parsed.sequences;
}
