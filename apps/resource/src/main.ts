// Tracing starts first: the http instrumentation can patch `http` only if it is in place before
// Fastify loads it. The build emits CommonJS, where imports run in source order, so this line
// stays above every other import (startTracing logs `tracing_started_late` if it is moved).
import { startTracing } from '@app/common/observability/tracing';
startTracing('resource');

import { runService } from '@app/common/http';
import { RESOURCE_APP } from './resource.app';

void runService(RESOURCE_APP);
