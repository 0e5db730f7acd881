import 'reflect-metadata';
import type { SettingName } from '@app/contracts';

const SETTINGS = Symbol('settings');

/** A field that the loader fills: its name is the same in the environment and in the config file. */
export interface SettingSpec {
  property: string;
  name: SettingName;
  parse: 'string' | 'int' | 'boolean' | 'list';
}

/**
 * Declares a setting: the environment variable (and config-file key) that overrides the field's
 * default, and how its text is read.
 */
export function Setting(
  name: SettingName,
  parse: SettingSpec['parse'] = 'string',
): PropertyDecorator {
  return (target, property) => {
    const specs = (Reflect.getMetadata(SETTINGS, target) as SettingSpec[] | undefined) ?? [];
    Reflect.defineMetadata(
      SETTINGS,
      [...specs, { property: String(property), name, parse }],
      target,
    );
  };
}

export function settingsOf(target: object): SettingSpec[] {
  return (Reflect.getMetadata(SETTINGS, target) as SettingSpec[] | undefined) ?? [];
}
