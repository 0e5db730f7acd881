import { settingsOf } from '@app/common';
import { describeSettingsEquivalence } from '../../../libs/common/test/dto-equivalence';
import { ResourceConfig } from './resource.config';

// loadConfig keeps class-validator; this keeps the settings movable to the compiled validators.
describeSettingsEquivalence(ResourceConfig, (settings) =>
  settingsOf(settings).map((setting) => setting.property),
);
