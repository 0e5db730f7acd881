import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Override, testApp } from '../../../../libs/common/test/app';
import { ACCESS_TOKEN_VERIFIER } from '../../src/bearer/access-token-verifier.port';
import { RESOURCE_APP } from '../../src/resource.app';
import type { ResourceConfig } from '../../src/resource.config';
import type { FakeVerifier } from './fakes';

/**
 * The resource server as main.ts builds it, optionally with a fake token verifier and other
 * providers replaced.
 */
export function createResourceApp(
  config: ResourceConfig,
  verifier?: FakeVerifier,
  overrides: readonly Override[] = [],
): Promise<NestFastifyApplication> {
  return testApp(RESOURCE_APP, config, [
    ...(verifier === undefined ? [] : [{ token: ACCESS_TOKEN_VERIFIER, value: verifier }]),
    ...overrides,
  ]);
}
