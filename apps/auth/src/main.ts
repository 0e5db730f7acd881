import { runService } from '@app/common/http';
import { AUTH_APP } from './auth.app';

void runService(AUTH_APP);
