import { readTracingSettings, tracingRequested } from './tracing-settings';

describe('tracingRequested', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBe(false);
  });

  it('is on with the general or the traces endpoint', () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(
      tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }),
    ).toBe(true);
  });

  it('is off when the SDK is disabled or the traces exporter is none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingRequested({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(tracingRequested({ ...endpoint, OTEL_SDK_DISABLED: 'false' })).toBe(true);
    expect(tracingRequested({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});

describe('readTracingSettings', () => {
  it('defaults: the service name, parent-based always-on, the batch defaults', () => {
    expect(readTracingSettings('auth', {})).toEqual({
      serviceName: 'auth',
      sampler: { kind: 'always_on', parentBased: true },
      batch: {
        scheduledDelayMillis: undefined,
        exportTimeoutMillis: undefined,
        maxQueueSize: undefined,
        maxExportBatchSize: undefined,
      },
      ignored: [],
    });
  });

  it('OTEL_SERVICE_NAME overrides the service name', () => {
    expect(readTracingSettings('auth', { OTEL_SERVICE_NAME: 'auth-eu' }).serviceName).toBe(
      'auth-eu',
    );
  });

  it.each([
    ['always_on', { kind: 'always_on', parentBased: false }],
    ['always_off', { kind: 'always_off', parentBased: false }],
    ['parentbased_always_off', { kind: 'always_off', parentBased: true }],
    ['traceidratio', { kind: 'traceidratio', parentBased: false, ratio: 0.1 }],
    ['ParentBased_TraceIdRatio', { kind: 'traceidratio', parentBased: true, ratio: 0.1 }],
  ])('OTEL_TRACES_SAMPLER=%s', (name, sampler) => {
    const settings = readTracingSettings('x', {
      OTEL_TRACES_SAMPLER: name,
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(settings.sampler).toEqual(sampler);
    expect(settings.ignored).toEqual([]);
  });

  it('a ratio sampler without an argument samples everything', () => {
    expect(readTracingSettings('x', { OTEL_TRACES_SAMPLER: 'traceidratio' }).sampler).toEqual({
      kind: 'traceidratio',
      parentBased: false,
      ratio: 1,
    });
  });

  it('reports what it cannot honour, and uses the default instead', () => {
    const settings = readTracingSettings('x', {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_BSP_SCHEDULE_DELAY: '-1',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_EXPORTER: 'zipkin',
    });
    expect(settings.sampler).toEqual({ kind: 'traceidratio', parentBased: true, ratio: 1 });
    expect(settings.batch.scheduledDelayMillis).toBeUndefined();
    expect(settings.ignored.map((entry) => entry.setting)).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_TRACES_EXPORTER',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_BSP_SCHEDULE_DELAY',
    ]);
    expect(readTracingSettings('x', { OTEL_TRACES_SAMPLER: 'sometimes' })).toMatchObject({
      sampler: { kind: 'always_on', parentBased: true },
      ignored: [{ setting: 'OTEL_TRACES_SAMPLER' }],
    });
  });

  it('the traces protocol wins over the general one; http/json is accepted', () => {
    expect(
      readTracingSettings('x', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }).ignored,
    ).toEqual([]);
  });

  it('OTEL_BSP_* are read as integers', () => {
    expect(
      readTracingSettings('x', {
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BSP_EXPORT_TIMEOUT: '5000',
        OTEL_BSP_MAX_QUEUE_SIZE: '4096',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256',
      }).batch,
    ).toEqual({
      scheduledDelayMillis: 200,
      exportTimeoutMillis: 5000,
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
    });
  });
});
