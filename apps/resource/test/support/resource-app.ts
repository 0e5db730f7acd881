import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureFastify, createFastifyAdapter } from '@app/common';
import { ACCESS_TOKEN_VERIFIER } from '../../src/bearer/access-token-verifier.port';
import type { ResourceConfig } from '../../src/resource.config';
import { ResourceModule } from '../../src/resource.module';
import type { FakeVerifier } from './fakes';

/**
 * Builds the resource server as main.ts does (the same module, adapter and hooks), with logging
 * silenced and, optionally, a fake in place of the token verifier.
 */
export async function createResourceApp(
  config: ResourceConfig,
  verifier?: FakeVerifier,
): Promise<NestFastifyApplication> {
  let builder = Test.createTestingModule({ imports: [ResourceModule.forRoot(config)] });
  if (verifier !== undefined) {
    builder = builder.overrideProvider(ACCESS_TOKEN_VERIFIER).useValue(verifier);
  }
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config),
    { bodyParser: false },
  );
  const instance = app.getHttpAdapter().getInstance();
  configureFastify(instance);
  await app.init();
  await instance.ready();
  return app;
}
