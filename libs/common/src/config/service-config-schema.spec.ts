import { describeSettingsEquivalence } from '../../test/dto-equivalence';
import { ServiceConfig } from './service.config';
import { settingsOf } from './setting.decorator';

// loadConfig keeps class-validator; this keeps the settings movable to the compiled validators.
describeSettingsEquivalence(ServiceConfig, (settings) =>
  settingsOf(settings).map((setting) => setting.property),
);
