import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigError, environmentName, loadConfig } from './load-config';
import { ServiceConfig } from './service.config';
import { Setting } from './setting.decorator';

/** A service's settings, as the apps declare them: only names of SETTING_NAMES. */
class ExampleConfig extends ServiceConfig {
  @Setting('AUTH_PORT', 'int') @IsInt() @Min(1) @Max(65535) port = 5001;
  @Setting('ISSUER') @IsString() @MinLength(1) issuer = 'http://localhost:5001';
  @Setting('CLIENT_REQUIRES_DPOP', 'boolean') @IsBoolean() requiresDpop = false;
  @Setting('TOKEN_VALIDATION') @IsIn(['introspection', 'jwks']) validation = 'introspection';
  @Setting('ALLOWED_CLIENT_IDS', 'list')
  @IsOptional()
  @IsString({ each: true })
  clients?: string[];
}

describe('loadConfig', () => {
  let dir: string;
  let file: string;
  /** A path where no config file is, so that a stray configs/ folder cannot leak in. */
  let noFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'load-config-'));
    file = join(dir, 'application_config.json');
    noFile = join(dir, 'absent.json');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (content: unknown): void =>
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));

  const configError = (action: () => unknown): ConfigError => {
    let caught: unknown;
    try {
      action();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    return caught as ConfigError;
  };

  it('uses the defaults when nothing is set', () => {
    const config = loadConfig(ExampleConfig, { env: {}, file: noFile });
    expect(config).toBeInstanceOf(ExampleConfig);
    expect({ ...config }).toEqual({
      host: '0.0.0.0',
      logLevel: 'info',
      bodyLimit: 16384,
      shutdownTimeoutMs: 10000,
      environment: 'production',
      trustProxyHops: 0,
      port: 5001,
      issuer: 'http://localhost:5001',
      requiresDpop: false,
      validation: 'introspection',
    });
    expect(config.sentryDsn).toBeUndefined();
    expect(config.metricsPort).toBeUndefined();
    expect(config.clients).toBeUndefined();
  });

  it('lets environment variables override the defaults, parsed by kind', () => {
    const config = loadConfig(ExampleConfig, {
      env: {
        AUTH_PORT: ' 6001 ',
        ISSUER: 'http://auth:5001',
        CLIENT_REQUIRES_DPOP: 'true',
        ALLOWED_CLIENT_IDS: ' 1234, other ,,',
        LOG_LEVEL: 'debug',
      },
      file: noFile,
    });
    expect(config.port).toBe(6001);
    expect(config.issuer).toBe('http://auth:5001');
    expect(config.requiresDpop).toBe(true);
    expect(config.clients).toEqual(['1234', 'other']);
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['1', true],
    ['0', false],
    ['false', false],
  ])('reads the boolean %s as %s', (raw, value) => {
    expect(
      loadConfig(ExampleConfig, { env: { CLIENT_REQUIRES_DPOP: raw }, file: noFile }).requiresDpop,
    ).toBe(value);
  });

  it('reads the section of the config file named by APP_ENV', () => {
    write({
      production: { AUTH_PORT: 7001, ISSUER: 'http://prod' },
      testing: { AUTH_PORT: '7002', ISSUER: 'http://test', ALLOWED_CLIENT_IDS: ['x', 'y'] },
    });
    const testing = loadConfig(ExampleConfig, { env: { APP_ENV: 'testing' }, file });
    expect(testing.port).toBe(7002);
    expect(testing.issuer).toBe('http://test');
    expect(testing.clients).toEqual(['x', 'y']);
    const production = loadConfig(ExampleConfig, { env: {}, file });
    expect(production.port).toBe(7001);
    expect(production.issuer).toBe('http://prod');
  });

  it('uses the defaults when the file has no section for the environment', () => {
    write({ production: { AUTH_PORT: 7001 } });
    expect(loadConfig(ExampleConfig, { env: { APP_ENV: 'stage' }, file }).port).toBe(5001);
  });

  it('lets environment variables override the config file', () => {
    write({ development: { AUTH_PORT: 7003, ISSUER: 'http://file' } });
    const config = loadConfig(ExampleConfig, {
      env: { APP_ENV: 'development', AUTH_PORT: '8003' },
      file,
    });
    expect(config.port).toBe(8003);
    expect(config.issuer).toBe('http://file');
  });

  it('finds the file through CONFIG_FILE when no path is given', () => {
    write({ production: { ISSUER: 'http://from-config-file' } });
    expect(loadConfig(ExampleConfig, { env: { CONFIG_FILE: file } }).issuer).toBe(
      'http://from-config-file',
    );
  });

  it.each([
    ['AUTH_PORT', 'abc'],
    ['AUTH_PORT', '5001.5'],
    ['AUTH_PORT', ''],
    ['AUTH_PORT', '70000'],
    ['BODY_LIMIT', '12kb'],
    ['TOKEN_VALIDATION', 'local'],
    ['CLIENT_REQUIRES_DPOP', 'yes'],
    ['TRUST_PROXY_HOPS', '11'],
    ['METRICS_PORT', '0'],
    ['ISSUER', ''],
    ['LOG_LEVEL', 'verbose'],
  ])('refuses %s=%j with a ConfigError naming the setting', (name, raw) => {
    const err = configError(() =>
      loadConfig(ExampleConfig, { env: { [name]: raw }, file: noFile }),
    );
    expect(err.message).toMatch(new RegExp(`^invalid setting ${name}: `));
  });

  it('names the setting of a bad value that comes from the file', () => {
    write({ production: { AUTH_PORT: 'port' } });
    expect(configError(() => loadConfig(ExampleConfig, { env: {}, file })).message).toMatch(
      /^invalid setting AUTH_PORT: /,
    );
  });

  it('refuses a bad int in the file given as a JSON number', () => {
    write({ production: { AUTH_PORT: 1.5 } });
    expect(configError(() => loadConfig(ExampleConfig, { env: {}, file })).message).toMatch(
      /^invalid setting AUTH_PORT: /,
    );
  });

  it('refuses an unknown APP_ENV', () => {
    expect(
      configError(() => loadConfig(ExampleConfig, { env: { APP_ENV: 'prod' }, file: noFile }))
        .message,
    ).toBe('invalid setting APP_ENV: must be one of production, stage, development, testing');
    expect(environmentName({})).toBe('production');
  });

  it.each([
    ['not JSON', '{ "production": ', /^invalid setting CONFIG_FILE: .* is not JSON$/],
    ['not an object', '[1, 2]', /^invalid setting CONFIG_FILE: .* must hold a JSON object$/],
    [
      'a section that is not an object',
      '{ "production": "yes" }',
      /^invalid setting CONFIG_FILE: section "production" must be an object$/,
    ],
  ])('refuses a config file that is %s', (_case, content, message) => {
    write(content);
    expect(configError(() => loadConfig(ExampleConfig, { env: {}, file })).message).toMatch(
      message,
    );
  });

  describe('keys and sections of the config file (a typo never goes unnoticed)', () => {
    it('refuses a key that is no setting of any service, naming it and its section', () => {
      write({ testing: { ISSUER: 'http://test', ISUSER: 'http://typo' } });
      expect(
        configError(() => loadConfig(ExampleConfig, { env: { APP_ENV: 'testing' }, file })).message,
      ).toBe(
        'invalid setting CONFIG_FILE: "ISUSER" in section "testing" is no setting of any service',
      );
    });

    it('refuses a key of the wrong case: names are exact', () => {
      write({ production: { issuer: 'http://lower' } });
      expect(configError(() => loadConfig(ExampleConfig, { env: {}, file })).message).toBe(
        'invalid setting CONFIG_FILE: "issuer" in section "production" is no setting of any service',
      );
    });

    it('accepts a setting of another service: the three services share one file', () => {
      write({ production: { ISSUER: 'http://shared', RESOURCE_PORT: 6002, WEBAPP_PORT: 6003 } });
      const config = loadConfig(ExampleConfig, { env: {}, file });
      expect(config.issuer).toBe('http://shared');
      expect(config).not.toHaveProperty('RESOURCE_PORT');
    });

    it.each(['prod', 'Production', 'local', 'defaults'])(
      'refuses a section %j that is none of the four environments',
      (section) => {
        write({ production: { ISSUER: 'http://prod' }, [section]: {} });
        expect(configError(() => loadConfig(ExampleConfig, { env: {}, file })).message).toBe(
          `invalid setting CONFIG_FILE: section ${JSON.stringify(section)} is none of production, stage, development, testing`,
        );
      },
    );

    it('accepts all four environments as sections', () => {
      write({
        production: { AUTH_PORT: 7001 },
        stage: { AUTH_PORT: 7002 },
        development: { AUTH_PORT: 7003 },
        testing: { AUTH_PORT: 7004 },
      });
      expect(
        ['production', 'stage', 'development', 'testing'].map(
          (APP_ENV) => loadConfig(ExampleConfig, { env: { APP_ENV }, file }).port,
        ),
      ).toEqual([7001, 7002, 7003, 7004]);
    });

    it('ignores environment variables that are no setting: the environment is not ours', () => {
      const config = loadConfig(ExampleConfig, {
        env: { PATH: '/usr/bin', ISUSER: 'x', AUTH_PORT: '6001' },
        file: noFile,
      });
      expect(config.port).toBe(6001);
    });
  });

  it('types @Setting by SETTING_NAMES: an unknown name does not compile (tsc checks it)', () => {
    class Typo {
      // @ts-expect-error 'ISUSER' is none of SETTING_NAMES
      @Setting('ISUSER') @IsString() issuer = 'x';
    }
    expect(new Typo().issuer).toBe('x');
  });

  it('refuses a config file path that cannot be read', () => {
    expect(configError(() => loadConfig(ExampleConfig, { env: {}, file: dir })).message).toBe(
      `invalid setting CONFIG_FILE: cannot read ${dir}`,
    );
  });
});
