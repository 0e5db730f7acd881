/**
 * The standard OpenTelemetry environment variables this project honours, read without loading
 * any OpenTelemetry module. Since SDK 3 the trace SDK itself reads none of them (only the
 * all-in-one `@opentelemetry/sdk-node` does, and it brings every exporter and signal with it), so
 * the few that matter for traces are parsed here, with the spec's defaults and names.
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
type Env = Record<string, string | undefined>;

export type SamplerSetting =
  | { kind: 'always_on' | 'always_off'; parentBased: boolean }
  | { kind: 'traceidratio'; parentBased: boolean; ratio: number };

export interface BatchSettings {
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

export interface TracingSettings {
  serviceName: string;
  sampler: SamplerSetting;
  batch: BatchSettings;
  /** Settings that were set but cannot be honoured, each with the reason; logged at start. */
  ignored: { setting: string; reason: string }[];
}

/**
 * Whether traces are to be exported at all: only when an OTLP endpoint is configured (the general
 * one or the traces one), and not when `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 */
export function tracingRequested(env: Env): boolean {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return false;
  if (value(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase() === 'none') return false;
  return (
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined ||
    value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined
  );
}

/** The settings of a service whose tracing is requested; `service` names it by default. */
export function readTracingSettings(service: string, env: Env): TracingSettings {
  const ignored: TracingSettings['ignored'] = [];
  const protocol =
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'http/json') {
    ignored.push({
      setting: 'OTEL_EXPORTER_OTLP_PROTOCOL',
      reason: `${protocol} is not supported; traces are sent as http/json`,
    });
  }
  const exporter = value(env, 'OTEL_TRACES_EXPORTER');
  if (exporter !== undefined && exporter !== 'otlp') {
    ignored.push({
      setting: 'OTEL_TRACES_EXPORTER',
      reason: `${exporter} is not supported; otlp is used`,
    });
  }
  return {
    serviceName: value(env, 'OTEL_SERVICE_NAME') ?? service,
    sampler: readSampler(env, ignored),
    batch: {
      scheduledDelayMillis: readInteger(env, 'OTEL_BSP_SCHEDULE_DELAY', 0, ignored),
      exportTimeoutMillis: readInteger(env, 'OTEL_BSP_EXPORT_TIMEOUT', 1, ignored),
      maxQueueSize: readInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 1, ignored),
      maxExportBatchSize: readInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, ignored),
    },
    ignored,
  };
}

const SAMPLERS: Record<string, Omit<SamplerSetting, 'ratio'>> = {
  always_on: { kind: 'always_on', parentBased: false },
  always_off: { kind: 'always_off', parentBased: false },
  traceidratio: { kind: 'traceidratio', parentBased: false },
  parentbased_always_on: { kind: 'always_on', parentBased: true },
  parentbased_always_off: { kind: 'always_off', parentBased: true },
  parentbased_traceidratio: { kind: 'traceidratio', parentBased: true },
};

/** `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`; `parentbased_always_on` by default. */
function readSampler(env: Env, ignored: TracingSettings['ignored']): SamplerSetting {
  const name = value(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on';
  let chosen = SAMPLERS[name];
  if (chosen === undefined) {
    ignored.push({
      setting: 'OTEL_TRACES_SAMPLER',
      reason: `unknown sampler ${name}; parentbased_always_on is used`,
    });
    chosen = { kind: 'always_on', parentBased: true };
  }
  if (chosen.kind !== 'traceidratio') return { kind: chosen.kind, parentBased: chosen.parentBased };
  const arg = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (arg !== undefined) {
    const parsed = Number(arg);
    if (Number.isFinite(parsed) && parsed >= 0 && parsed <= 1) ratio = parsed;
    else
      ignored.push({
        setting: 'OTEL_TRACES_SAMPLER_ARG',
        reason: `${arg} is not a ratio between 0 and 1; 1 is used`,
      });
  }
  return { kind: 'traceidratio', parentBased: chosen.parentBased, ratio };
}

function readInteger(
  env: Env,
  name: string,
  min: number,
  ignored: TracingSettings['ignored'],
): number | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = Number(raw);
  if (Number.isInteger(parsed) && parsed >= min) return parsed;
  ignored.push({
    setting: name,
    reason: `${raw} is not an integer of at least ${min}; the default is used`,
  });
  return undefined;
}

/** A variable's trimmed value; undefined when unset or empty (the spec treats both alike). */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}
