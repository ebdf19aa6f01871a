// The only exceptions the CLI expects: bad input (exit 2) and an explicit exit code.
// Everything about a domain's outcome is data in a result, never a throw.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}
