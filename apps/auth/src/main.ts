import { runService } from '@app/common';
import { AuthConfig } from './auth.config';
import { AuthModule } from './auth.module';
import { configureAuthTransport } from './auth.transport';

void runService({
  service: 'auth',
  config: AuthConfig,
  module: (config) => AuthModule.forRoot(config),
  port: (config) => config.port,
  configure: configureAuthTransport,
});
