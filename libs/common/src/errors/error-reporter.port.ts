/** Where an unexpected error happened. */
export interface ErrorContext {
  requestId?: string;
  method?: string;
  path?: string;
}

/** Sends unexpected server errors somewhere people look; does nothing unless configured. */
export interface ErrorReporter {
  report(error: unknown, context: ErrorContext): void;
}

export const ERROR_REPORTER = Symbol('ERROR_REPORTER');

export class NoErrorReporter implements ErrorReporter {
  report(): void {}
}
