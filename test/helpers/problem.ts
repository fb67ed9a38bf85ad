/** The shape of an error answer (application/problem+json), so a test reads a parsed body typed rather than as `any`. */
import assert from 'node:assert/strict';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

/** Asserts an answer is problem+json with this status, and returns the problem. */
export function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json<T>(): T }, status: number): Problem {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const problem = res.json<Problem>();
  assert.equal(problem.status, status);
  return problem;
}
