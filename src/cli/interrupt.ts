/**
 * Ctrl-C (and SIGTERM) during long work: the first asks the work to stop (it removes its
 * temporary files and rejects with an Interrupted), a second one exits at once. Files under
 * their final names are only ever complete: they are written to a temporary name, then renamed.
 */

/** The work was stopped by a signal: the CLI says so in one line and exits 130, as shells expect. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal}); nothing half-written was left under a final name`);
  }
}

export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Interrupted(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
