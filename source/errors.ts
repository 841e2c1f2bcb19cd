/**
 * Errors a user can cause carry the exit code the headless contract promises (DESIGN §8):
 * 2 for usage, config and connection errors; 1 for "ran fine, found problems".
 */
export class EcpError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input, bad config, or a refused operation: exit 2, nothing changed. */
export class UsageError extends EcpError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The store file exists but cannot be read as a store; it is never overwritten. */
export class StoreError extends EcpError {
  constructor(message: string) {
    super(message, 2);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
