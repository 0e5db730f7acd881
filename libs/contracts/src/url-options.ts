/**
 * `@IsUrl` options for every absolute URL of the stack, in settings and in metadata: http or
 * https, the scheme required, and no top-level domain required, so that `localhost` and compose
 * service names (`http://auth:5001`) pass.
 */
export const HTTP_URL_OPTIONS = {
  require_tld: false,
  protocols: ['http', 'https'],
  require_protocol: true,
};
