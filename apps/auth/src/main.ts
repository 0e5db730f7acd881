import { registerFormParser, runService } from '@app/common';
import { AuthConfig } from './auth.config';
import { AuthModule } from './auth.module';

void runService({
  service: 'auth',
  config: AuthConfig,
  module: (config) => AuthModule.forRoot(config),
  port: (config) => config.port,
  configure: (instance, config) => registerFormParser(instance, config.bodyLimit),
});
