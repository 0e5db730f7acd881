/**
 * Every setting of the three services, by the one name it has as an environment variable and as
 * a key of `configs/application_config.json`. A config class can declare only these (the
 * `@Setting` decorator is typed by them), and a key of the file that is none of them stops every
 * service at start, so a typo is never silently ignored.
 */
export const SETTING_NAMES = [
  // every service
  'HOST',
  'LOG_LEVEL',
  'BODY_LIMIT',
  'SENTRY_DSN',
  'SENTRY_RELEASE',
  'APP_ENV',
  'TRUST_PROXY_HOPS',
  'METRICS_PORT',
  'SHUTDOWN_TIMEOUT_MS',
  'ISSUER',
  'AUDIENCE',
  'AUTH_URL',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'RESOURCE_CLIENT_ID',
  'RESOURCE_CLIENT_SECRET',
  'CLOCK_LEEWAY',
  'UPSTREAM_TIMEOUT_MS',
  'DPOP_SIGNING_ALGS',
  'DPOP_PROOF_MAX_AGE_SECONDS',
  // the authorization server
  'AUTH_PORT',
  'REDIRECT_URIS',
  'CLIENT_SCOPES',
  'CLIENT_REQUIRES_DPOP',
  'ACCESS_TOKEN_TTL',
  'CODE_TTL',
  'CODE_QUOTA_PER_ADDRESS',
  'MAX_CODES',
  'AUTH_FAILURE_LIMIT',
  'AUTH_FAILURE_WINDOW_SECONDS',
  'INTROSPECTION_LIMIT',
  'SIGNING_KEY_FILE',
  'PREVIOUS_KEY_FILE',
  'KEY_ROTATION_SECONDS',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'REDIS_TIMEOUT_MS',
  // the resource server
  'RESOURCE_PORT',
  'TOKEN_VALIDATION',
  'ALLOWED_CLIENT_IDS',
  'JWKS_CACHE_SECONDS',
  'REALM',
  // the webapp
  'WEBAPP_PORT',
  'RESOURCE_URL',
  'REDIRECT_URI',
  'TOKEN_AUTH_METHOD',
  'DEFAULT_USER',
  'DEFAULT_PASSWORD',
  'DPOP',
  'LOGIN_COOKIE_SECRET',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];
