import { settingsOf } from '@app/common';
import { describeSettingsEquivalence } from '../../../libs/common/test/dto-equivalence';
import { AuthConfig } from './auth.config';

// loadConfig keeps class-validator; this keeps the settings movable to the compiled validators.
describeSettingsEquivalence(AuthConfig, (settings) =>
  settingsOf(settings).map((setting) => setting.property),
);
