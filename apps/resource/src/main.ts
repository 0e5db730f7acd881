import { runService } from '@app/common/http';
import { RESOURCE_APP } from './resource.app';

void runService(RESOURCE_APP);
