/** A command failed in a way the user can fix: one line on stderr, and this exit code. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
