/**
 * Work cut into slices: a generator yields between slices. `atOnce` runs it to the end (a CLI, a
 * test); `inTurns` lets the event loop turn between slices, so a large request (a comparison
 * of 50,000-element collections) never holds the server for more than one slice.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export type Steps<T> = Generator<void, T, void>;

export function atOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function inTurns<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}
