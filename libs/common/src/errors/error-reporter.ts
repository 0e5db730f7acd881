import { type ErrorReporter, NoErrorReporter } from './error-reporter.port';
import { SentryErrorReporter } from './sentry-error-reporter';

export * from './error-reporter.port';

/**
 * The reporter a service runs with: Sentry when SENTRY_DSN is set, nothing otherwise (and then
 * the Sentry SDK is not even loaded). `secrets` are the configured values that must never be sent.
 */
export function createErrorReporter(
  service: string,
  config: { sentryDsn?: string; sentryRelease?: string; environment?: string },
  secrets: readonly string[],
): ErrorReporter {
  if (config.sentryDsn === undefined || config.sentryDsn === '') return new NoErrorReporter();
  return (
    SentryErrorReporter.start({
      dsn: config.sentryDsn,
      service,
      environment: config.environment ?? 'production',
      release: config.sentryRelease,
      secrets,
    }) ?? new NoErrorReporter()
  );
}

export { flushErrorReports } from './sentry-error-reporter';
