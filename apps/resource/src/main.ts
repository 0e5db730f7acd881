import { runService } from '@app/common';
import { ResourceConfig } from './resource.config';
import { ResourceModule } from './resource.module';

void runService({
  service: 'resource',
  config: ResourceConfig,
  module: (config) => ResourceModule.forRoot(config),
  port: (config) => config.port,
});
