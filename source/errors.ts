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

/** The operator interrupted a run (Ctrl-C) and it stopped at a safe point: exit 130, as a shell reports SIGINT. */
export class InterruptedError extends EcpError {
  constructor(message: string) {
    super(message, 130);
  }
}

/** The store file exists but cannot be read as a store; it is never overwritten. */
export class StoreError extends EcpError {
  constructor(message: string) {
    super(message, 2);
  }
}

/**
 * Thrown in the quick bundle where the command line reaches a module the build left out of it
 * (bin/ecp.js): the command line is then run again from the full bundle. Thrown before the
 * command runs, when nothing has been read but the config.
 */
export class NotInQuickBundle extends Error {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a file-system error means for `file`, as the end of a sentence ("the disk ... is full"). */
export function fsProblem(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk holding ${file} is full`;
    case 'EROFS':
      return `${file} is on a read-only file system`;
    case 'EACCES':
    case 'EPERM':
      return `ecp may not write ${file}`;
    case 'ENOTDIR':
      return `a part of the path ${file} is a file, not a folder`;
    case 'EISDIR':
      return `${file} is a folder, not a file`;
    case 'ENAMETOOLONG':
      return `the path ${file} is too long`;
    case 'EEXIST':
      return `${file} already exists and is not a folder`;
    case 'ENOENT':
      return `a folder on the path ${file} does not exist`;
    case 'ELOOP':
      return `${file} is a loop of symbolic links`;
    default:
      return errorMessage(error);
  }
}

/** True for an error of the file system (it has an errno code), as opposed to a bug. */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The API could not be reached or answered with an error: exit 2 for headless commands. */
export class ClusterError extends EcpError {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message, 2);
  }
}
