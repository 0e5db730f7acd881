import { runService } from '@app/common';
import { WebappConfig } from './webapp.config';
import { WebappModule } from './webapp.module';

void runService({
  service: 'webapp',
  config: WebappConfig,
  module: (config) => WebappModule.forRoot(config),
  port: (config) => config.port,
});
