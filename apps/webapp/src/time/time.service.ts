import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { TimeScope } from '@app/contracts';
import type { CallContext } from '../clients/call-context';
import {
  RESOURCE_SERVER,
  type ResourceServer,
  type TimeReading,
} from '../clients/resource-server.port';
import { BadUpstreamAnswerError, LoginRequiredError } from '../errors/webapp.errors';
import { type Caller, AuthorizationCodeFlow } from '../flow/authorization-code.flow';
import { WebappConfig } from '../webapp.config';

/**
 * What a user asks of the webapp: the time, got the OAuth way. Runs one flow for the endpoint's
 * scope, calls the resource server with the new token, and checks that the answer is for this
 * user.
 */
@Injectable()
export class TimeService {
  constructor(
    private readonly flow: AuthorizationCodeFlow,
    @Inject(RESOURCE_SERVER) private readonly resource: ResourceServer,
    private readonly config: WebappConfig,
    @InjectPinoLogger('TimeService') private readonly logger: PinoLogger,
  ) {}

  /** The caller from their Basic login, or the configured default user when they sent none. */
  callerOf(login: Caller | undefined): Caller {
    if (login === undefined)
      return { username: this.config.defaultUser, password: this.config.defaultPassword };
    if (login.username.length === 0) throw new LoginRequiredError('the username must not be empty');
    // The authorization server wants a non-empty password; any password is accepted here.
    return { username: login.username, password: login.password.length > 0 ? login.password : '-' };
  }

  async read(scope: TimeScope, caller: Caller, context: CallContext): Promise<TimeReading> {
    this.logger.assign({ client_id: this.config.clientId, user: caller.username });
    const started = performance.now();
    const token = await this.flow.obtainToken(scope, caller, context);
    const reading = await this.resource.fetchTime(scope, token, context);
    if (reading.user !== caller.username) {
      throw new BadUpstreamAnswerError('resource', 'the answer is for another user');
    }
    this.logger.info(
      { event: 'flow_completed', scope, duration_ms: Math.round(performance.now() - started) },
      'flow completed',
    );
    return reading;
  }
}
