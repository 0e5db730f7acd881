import { Controller, Get, Header, Query, Redirect, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validateInput } from '@app/common';
import {
  AuthorizationResponseDto,
  LoginRequestDto,
  type Scope,
  type ScopeResponse,
} from '@app/contracts';
import { authorizationResponseOf } from '../clients/auth-server.client';
import { LoginCookie } from './login-cookie';
import { LoginService } from './login.service';
import { webappIndex, type WebappIndex } from './webapp-index';

interface RedirectTo {
  url: string;
  statusCode: 302;
}

/**
 * The webapp for browsers: `/` says what it offers, `/login` starts a redirect-based
 * authorization-code flow and binds it to the browser with a cookie, `/callback` is the
 * registered redirect URI that finishes it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 */
@Controller()
export class LoginController {
  private readonly index = webappIndex();

  constructor(
    private readonly login: LoginService,
    private readonly cookie: LoginCookie,
  ) {}

  @Get()
  home(): WebappIndex {
    return this.index;
  }

  @Get('login')
  @Redirect()
  @Header('cache-control', 'no-store')
  async start(
    @Query() query: LoginRequestDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RedirectTo> {
    const started = await this.login.start(query.scope, request.id);
    void reply.header('set-cookie', this.cookie.set(started.binding, started.maxAgeSeconds));
    return { url: started.location, statusCode: 302 };
  }

  /**
   * The authorization response. The cookie is cleared on every answer, success or refusal, so a
   * login leaves nothing behind; the query is validated here, after that, for the same reason.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   */
  @Get('callback')
  @Header('cache-control', 'no-store')
  async callback(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScopeResponse<Scope>> {
    void reply.header('set-cookie', this.cookie.clear());
    const response = validateInput(AuthorizationResponseDto, request.query);
    return this.login.finish(
      this.cookie.read(request.headers.cookie),
      authorizationResponseOf(response),
      request.id,
    );
  }
}
