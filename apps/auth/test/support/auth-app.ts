import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLOCK, configureFastify, createFastifyAdapter } from '@app/common';
import type { AuthConfig } from '../../src/auth.config';
import { AuthModule } from '../../src/auth.module';
import { configureAuthTransport } from '../../src/auth.transport';
import { type FakeClock, testConfig } from './fakes';

/**
 * Builds the authorization server as main.ts does (the same module, adapter, hooks and body
 * parsing), with logging silenced and, optionally, a fake clock in place of the system clock.
 */
export async function createAuthApp(
  options: {
    clock?: FakeClock;
    config?: Partial<AuthConfig>;
    /** Providers replaced by test doubles. */
    overrides?: { token: symbol; value: unknown }[];
  } = {},
): Promise<NestFastifyApplication> {
  const config = testConfig(options.config);
  let builder = Test.createTestingModule({ imports: [AuthModule.forRoot(config)] });
  if (options.clock !== undefined) {
    builder = builder.overrideProvider(CLOCK).useValue(options.clock);
  }
  for (const override of options.overrides ?? []) {
    builder = builder.overrideProvider(override.token).useValue(override.value);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config),
    { bodyParser: false },
  );
  const instance = app.getHttpAdapter().getInstance();
  configureFastify(instance);
  configureAuthTransport(instance, config);
  await app.init();
  await instance.ready();
  return app;
}
