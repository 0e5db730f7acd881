import type { FastifyInstance } from 'fastify';
import { registerFormParser } from '@app/common';
import type { AuthConfig } from './auth.config';

/**
 * Every endpoint of the authorization server that takes a body takes a form (RFC 6749 3.2 and
 * 4.1.3, RFC 7662 2.1, RFC 7009 2.1). Fastify ships JSON and text/plain parsers, which would let a
 * JSON body through to the token endpoint; they are removed, so anything but a form gets 415.
 */
export function configureAuthTransport(instance: FastifyInstance, config: AuthConfig): void {
  instance.removeAllContentTypeParsers();
  registerFormParser(instance, config.bodyLimit);
}
