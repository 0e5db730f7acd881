import { Inject, Injectable } from '@nestjs/common';
import { type BasicAuthResult, REQUEST_OUTCOME, type RequestOutcome } from '@app/common';
import { LIMITS, type Scope, type ScopeResponse } from '@app/contracts';
import { withDeadline } from '../clients/call-context';
import { RESOURCE_SERVER, type ResourceServer } from '../clients/resource-server.port';
import { BadUpstreamAnswerError, LoginRequiredError } from '../errors/webapp.errors';
import { type Caller, AuthorizationCodeFlow } from '../flow/authorization-code.flow';
import { WebappConfig } from '../webapp.config';

/**
 * What a user asks of the webapp: an API answer, got the OAuth way. Runs one flow for the
 * endpoint's scope under one deadline (UPSTREAM_TIMEOUT_MS for every call of it), calls the
 * resource server with the new token, and checks that the answer is for this user.
 */
@Injectable()
export class TimeService {
  constructor(
    private readonly flow: AuthorizationCodeFlow,
    @Inject(RESOURCE_SERVER) private readonly resource: ResourceServer,
    @Inject(REQUEST_OUTCOME) private readonly outcome: RequestOutcome,
    private readonly config: WebappConfig,
  ) {}

  async read<S extends Scope>(
    scope: S,
    login: BasicAuthResult,
    requestId: string,
  ): Promise<ScopeResponse<S>> {
    const caller = this.callerOf(login);
    this.outcome.identify({ client_id: this.config.clientId, user: caller.username });
    return withDeadline(this.config.upstreamTimeoutMs, requestId, async (context) => {
      const token = await this.flow.obtainToken(scope, caller, context);
      const answer = await this.resource.fetch(scope, token, context);
      if (answer.user !== caller.username) {
        throw new BadUpstreamAnswerError('resource', 'the answer is for another user');
      }
      this.outcome.record('flow_completed', { scope }, 'flow completed');
      return answer;
    });
  }

  /**
   * The caller from their Basic login, or the configured default user when they sent none. Any
   * non-empty username is accepted with any password, up to the length a username may have.
   */
  private callerOf(login: BasicAuthResult): Caller {
    switch (login.kind) {
      case 'absent':
        return { username: this.config.defaultUser, password: this.config.defaultPassword };
      case 'malformed':
        throw new LoginRequiredError('the Basic credentials cannot be read');
      case 'credentials': {
        const { username, password } = login.credentials;
        if (username.length === 0) throw new LoginRequiredError('the username must not be empty');
        if (username.length > LIMITS.username) {
          throw new LoginRequiredError(
            `the username must be at most ${LIMITS.username} characters`,
          );
        }
        // The authorization server wants a non-empty password; any password is accepted here.
        return { username, password: password.length > 0 ? password : '-' };
      }
    }
  }
}
