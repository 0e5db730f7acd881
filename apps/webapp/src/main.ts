// Tracing starts first: the http instrumentation can patch `http` only if it is in place before
// Fastify loads it. The build emits CommonJS, where imports run in source order, so this line
// stays above every other import (startTracing logs `tracing_started_late` if it is moved).
import { startTracing } from '@app/common/observability/tracing';
startTracing('webapp');

import { runService } from '@app/common/http';
import { WEBAPP_APP } from './webapp.app';

void runService(WEBAPP_APP);
