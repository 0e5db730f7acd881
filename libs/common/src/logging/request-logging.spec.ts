import { Writable } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ServiceConfig } from '../config/service.config';
import { PlatformModule, REQUEST_SCOPE } from '../http/platform.module';
import { createRootLogger } from './root-logger';
import { RequestScope } from './request-scope';

/** A pino destination that keeps each written line, parsed. */
class Lines extends Writable {
  readonly entries: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length > 0) this.entries.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

function setUp(level = 'info') {
  const lines = new Lines();
  const counted: [string, string][] = [];
  const scope = new RequestScope();
  const logger = createRootLogger({
    service: 'test',
    level,
    destination: lines,
    requestFields: () => scope.currentFields(),
  });
  scope.attach(logger, { countEvent: (event, result) => counted.push([event, result]) });
  const state = () => ({ fields: { request_id: 'r-1' }, written: false as boolean });
  return { lines, counted, scope, logger, state };
}

describe('request logging', () => {
  it('holds the first recorded event for the request line, with the identity', () => {
    const { scope, state, lines } = setUp();
    const request = state();
    scope.run(request, () => {
      scope.identify({ client_id: '1234' });
      scope.record('token_issued', { scope: 'current_time' }, 'access token issued');
      scope.record('second_event', {});
      scope.identify({ user: 'alice' });
    });
    expect(request).toMatchObject({
      fields: { request_id: 'r-1', client_id: '1234', user: 'alice' },
      event: {
        name: 'token_issued',
        fields: { scope: 'current_time' },
        message: 'access token issued',
      },
    });
    // A second event of the same request is written at once, carrying the request's fields.
    expect(lines.entries).toEqual([
      expect.objectContaining({ event: 'second_event', request_id: 'r-1', client_id: '1234' }),
    ]);
  });

  it('writes a warning at once with the request fields, and counts every event', () => {
    const { scope, state, lines, counted } = setUp();
    scope.run(state(), () => {
      scope.identify({ user: 'bob' });
      scope.warn('code_replayed', { revoked_jti: 'j-1' }, 'replayed');
      scope.record('token_introspected', { result: 'active' });
    });
    expect(lines.entries).toEqual([
      {
        level: 'warn',
        time: expect.any(String),
        service: 'test',
        event: 'code_replayed',
        revoked_jti: 'j-1',
        request_id: 'r-1',
        user: 'bob',
        message: 'replayed',
      },
    ]);
    expect(counted).toEqual([
      ['code_replayed', ''],
      ['token_introspected', 'active'],
    ]);
  });

  it('counts events whatever the log level (LOG_LEVEL=warn still fills events_total)', () => {
    const { scope, state, lines, counted } = setUp('warn');
    scope.run(state(), () => scope.record('token_issued', {}));
    scope.record('token_issued', {});
    expect(counted).toEqual([
      ['token_issued', ''],
      ['token_issued', ''],
    ]);
    expect(lines.entries).toEqual([]);
  });

  it('outside a request writes at once, without request fields', () => {
    const { scope, lines } = setUp();
    scope.record('metadata_discovered', { issuer: 'x' });
    scope.identify({ user: 'nobody' });
    expect(lines.entries).toEqual([
      expect.objectContaining({
        event: 'metadata_discovered',
        issuer: 'x',
        message: 'metadata discovered',
      }),
    ]);
    expect(lines.entries[0]).not.toHaveProperty('request_id');
  });

  it('never lets a line overwrite the request fields object it shares', () => {
    const { scope, state, logger } = setUp();
    const request = state();
    scope.run(request, () =>
      logger.info({ event: 'x', request_id: 'other', user: 'mallory' }, 'm'),
    );
    expect(request.fields).toEqual({ request_id: 'r-1' });
  });

  it('redacts secrets that a careless field might carry', () => {
    const { logger, lines } = setUp();
    logger.info({ event: 'x', password: 'p', client_secret: 's', code: 'c', token: 't' }, 'm');
    expect(lines.entries[0]).toMatchObject({
      password: '[redacted]',
      client_secret: '[redacted]',
      code: '[redacted]',
      token: '[redacted]',
    });
  });

  it('names the event of a line without one after its Nest context', () => {
    const { logger, lines } = setUp();
    logger.info({ context: 'NestApplication' }, 'started');
    expect(lines.entries[0]).toMatchObject({ event: 'nest_application', message: 'started' });
  });
});

/**
 * What this project relies on in nestjs-pino (pinned here, so an upgrade that changes it fails):
 * `LoggerModule.forRoot({ pinoHttp: { logger } })` makes PinoLogger and Nest's Logger write
 * through the given logger, also outside its own request storage, and the pino `mixin` of that
 * logger then adds the fields of the request being served.
 */
describe('nestjs-pino, as this project uses it', () => {
  @Controller()
  class Probe {
    constructor(private readonly pino: PinoLogger) {}

    @Get()
    get(): void {}

    fail(): void {
      this.pino.error({ event: 'unexpected_error' }, 'boom');
    }
  }

  class Ready {
    check(): Promise<Record<string, boolean>> {
      return Promise.resolve({});
    }
  }

  class Filter {
    catch(): void {}
  }

  it('writes PinoLogger and Logger lines through the root logger, with the request fields', async () => {
    const lines = new Lines();
    const config = Object.assign(new ServiceConfig(), { logLevel: 'info' });
    @Module({
      imports: [
        PlatformModule.forRoot({
          service: 'pin',
          config,
          filter: Filter,
          secrets: [],
          readiness: Ready,
          destination: lines,
        }),
      ],
      controllers: [Probe],
      providers: [Ready],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const scope = moduleRef.get<RequestScope>(REQUEST_SCOPE);
    scope.run({ fields: { request_id: 'r-9', user: 'alice' }, written: false }, () =>
      moduleRef.get(Probe).fail(),
    );
    moduleRef.get(Logger).log('hello', 'SomeContext');
    expect(lines.entries).toEqual([
      expect.objectContaining({
        level: 'error',
        service: 'pin',
        event: 'unexpected_error',
        request_id: 'r-9',
        user: 'alice',
        message: 'boom',
      }),
      expect.objectContaining({
        level: 'info',
        service: 'pin',
        event: 'some_context',
        message: 'hello',
      }),
    ]);
    expect(lines.entries[1]).not.toHaveProperty('request_id');
    await moduleRef.close();
  });
});
