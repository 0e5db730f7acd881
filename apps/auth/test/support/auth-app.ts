import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLOCK } from '@app/common';
import { type Override, testApp } from '../../../../libs/common/test/app';
import { AUTH_APP } from '../../src/auth.app';
import type { AuthConfig } from '../../src/auth.config';
import { type FakeClock, testConfig } from './fakes';

/**
 * The authorization server as main.ts builds it (`testApp` over AUTH_APP: the same module,
 * adapter, hooks, headers and form parser), with logging silenced and, optionally, a fake clock
 * in place of the system clock and other providers replaced by test doubles.
 */
export function createAuthApp(
  options: {
    clock?: FakeClock;
    config?: Partial<AuthConfig>;
    /** Providers replaced by test doubles. */
    overrides?: readonly Override[];
  } = {},
): Promise<NestFastifyApplication> {
  const overrides: Override[] = [
    ...(options.clock === undefined ? [] : [{ token: CLOCK, value: options.clock }]),
    ...(options.overrides ?? []),
  ];
  return testApp(AUTH_APP, testConfig(options.config), overrides);
}
