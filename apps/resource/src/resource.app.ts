import type { ServiceDefinition } from '@app/common/http';
import { ResourceConfig } from './resource.config';
import { ResourceModule } from './resource.module';

/** The resource server as a service: what main.ts runs and what transport tests build. */
export const RESOURCE_APP: ServiceDefinition<ResourceConfig> = {
  service: 'resource',
  config: ResourceConfig,
  module: (config) => ResourceModule.forRoot(config),
  port: (config) => config.port,
};
