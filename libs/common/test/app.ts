import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { ServiceConfig } from '../src/config/service.config';
import { buildApp, type ServiceDefinition } from '../src/http/build-app';

/** A provider of the app's module replaced by a test double. */
export interface Override {
  token: unknown;
  value: unknown;
}

/**
 * Builds a service for a transport test exactly as main.ts does (`buildApp`: the same module,
 * adapter, hooks and body parsing), with providers replaced by test doubles where a test asks.
 */
export async function testApp<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  overrides: readonly Override[] = [],
): Promise<NestFastifyApplication> {
  return buildApp(definition, config, async (adapter) => {
    let builder = Test.createTestingModule({ imports: [definition.module(config)] });
    for (const { token, value } of overrides) {
      builder = builder.overrideProvider(token as symbol).useValue(value);
    }
    const moduleRef = await builder.compile();
    return moduleRef.createNestApplication<NestFastifyApplication>(adapter, { bodyParser: false });
  });
}
