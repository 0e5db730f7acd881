import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateSync } from 'class-validator';
import { SETTING_NAMES } from '@app/contracts';
import { settingsOf, type SettingSpec } from './setting.decorator';

const KNOWN_SETTINGS: ReadonlySet<string> = new Set(SETTING_NAMES);

export const ENVIRONMENTS = ['production', 'stage', 'development', 'testing'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** A setting that cannot be used: the service must not start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** The optional config file; `CONFIG_FILE` or `configs/application_config.json`. */
  file?: string;
}

/**
 * Builds a settings object: the class's defaults, overridden by the environment's section of the
 * optional config file, overridden by environment variables; then validated, so that a bad value
 * stops the service with a message that names the setting. A key of the file that is no setting
 * of any service stops it too, by name.
 */
export function loadConfig<T extends object>(schema: new () => T, sources: ConfigSources): T {
  const settings = new schema();
  const specs = settingsOf(settings);
  const environment = environmentName(sources.env);
  const fromFile = readSection(sources.file ?? defaultConfigFile(sources.env), environment);
  const target = settings as Record<string, unknown>;
  for (const spec of specs) {
    const raw = sources.env[spec.name] ?? fromFile[spec.name];
    if (raw !== undefined) target[spec.property] = parseValue(spec, raw);
  }
  const errors = validateSync(settings, { forbidUnknownValues: false });
  const first = errors[0];
  if (first) {
    const spec = specs.find((s) => s.property === first.property);
    const why = Object.values(first.constraints ?? {}).join('; ');
    throw new ConfigError(`invalid setting ${spec?.name ?? first.property}: ${why}`);
  }
  return settings;
}

export function environmentName(env: Record<string, string | undefined>): EnvironmentName {
  const name = env.APP_ENV ?? 'production';
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
    throw new ConfigError(`invalid setting APP_ENV: must be one of ${ENVIRONMENTS.join(', ')}`);
  }
  return name as EnvironmentName;
}

function defaultConfigFile(env: Record<string, string | undefined>): string {
  return env.CONFIG_FILE ?? resolve(process.cwd(), 'configs/application_config.json');
}

function readSection(file: string, environment: EnvironmentName): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`invalid setting CONFIG_FILE: cannot read ${file}`, { cause: err });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`invalid setting CONFIG_FILE: ${file} is not JSON`, { cause: err });
  }
  if (!isRecord(document)) {
    throw new ConfigError(`invalid setting CONFIG_FILE: ${file} must hold a JSON object`);
  }
  const strange = Object.keys(document).find(
    (key) => !(ENVIRONMENTS as readonly string[]).includes(key),
  );
  if (strange !== undefined) {
    throw new ConfigError(
      `invalid setting CONFIG_FILE: section ${JSON.stringify(strange)} is none of ${ENVIRONMENTS.join(', ')}`,
    );
  }
  // Every section is checked, not only this environment's: a typo under "stage" must not wait
  // for the day the stage environment starts.
  for (const [name, section] of Object.entries(document)) {
    if (!isRecord(section)) {
      throw new ConfigError(`invalid setting CONFIG_FILE: section "${name}" must be an object`);
    }
    const unknown = Object.keys(section).find((key) => !KNOWN_SETTINGS.has(key));
    if (unknown !== undefined) {
      throw new ConfigError(
        `invalid setting CONFIG_FILE: ${JSON.stringify(unknown)} in section "${name}" is no setting of any service`,
      );
    }
  }
  return (document[environment] as Record<string, unknown> | undefined) ?? {};
}

function parseValue(spec: SettingSpec, raw: unknown): unknown {
  if (typeof raw !== 'string') {
    if (spec.parse === 'list' && Array.isArray(raw)) return raw as unknown[];
    return raw;
  }
  switch (spec.parse) {
    case 'string':
      return raw;
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
