import type { ServiceDefinition } from '@app/common/http';
import { registerFormParser } from '@app/common/http';
import { AuthConfig } from './auth.config';
import { AuthModule } from './auth.module';

/** The authorization server as a service: what main.ts runs and what transport tests build. */
export const AUTH_APP: ServiceDefinition<AuthConfig> = {
  service: 'auth',
  config: AuthConfig,
  module: (config) => AuthModule.forRoot(config),
  port: (config) => config.port,
  /**
   * Every endpoint of the authorization server that takes a body takes a form (RFC 6749 3.2 and
   * 4.1.3, RFC 7662 2.1, RFC 7009 2.1). Fastify ships JSON and text/plain parsers, which would let
   * a JSON body through to the token endpoint; they are removed, so anything but a form gets 415.
   */
  configure: (instance, config) => {
    instance.removeAllContentTypeParsers();
    registerFormParser(instance, config.bodyLimit);
  },
  // RFC 9700 4.16: no page of the authorization server may be framed (clickjacking).
  headers: { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" },
};
