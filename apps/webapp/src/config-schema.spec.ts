import { settingsOf } from '@app/common';
import { describeSettingsEquivalence } from '../../../libs/common/test/dto-equivalence';
import { WebappConfig } from './webapp.config';

// loadConfig keeps class-validator; this keeps the settings movable to the compiled validators.
describeSettingsEquivalence(WebappConfig, (settings) =>
  settingsOf(settings).map((setting) => setting.property),
);
