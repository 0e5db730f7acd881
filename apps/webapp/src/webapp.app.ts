import type { ServiceDefinition } from '@app/common/http';
import { WebappConfig } from './webapp.config';
import { WebappModule } from './webapp.module';

/** The webapp as a service: what main.ts runs and what transport tests build. */
export const WEBAPP_APP: ServiceDefinition<WebappConfig> = {
  service: 'webapp',
  config: WebappConfig,
  module: (config) => WebappModule.forRoot(config),
  port: (config) => config.port,
};
