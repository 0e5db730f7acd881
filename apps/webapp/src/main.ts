import { runService } from '@app/common/http';
import { WEBAPP_APP } from './webapp.app';

void runService(WEBAPP_APP);
