import { parseReply, type UpstreamClient } from '@app/common';
import { CurrentTimeResponseDto, EpochTimeResponseDto, type TimeScope } from '@app/contracts';
import type { CallContext } from './call-context';
import type { ResourceServer, TimeReading } from './resource-server.port';
import { refusalOf } from './upstream-refusal';

/** The resource server over HTTP: one GET per endpoint, the token in `Authorization: Bearer`. */
export class ResourceServerClient implements ResourceServer {
  constructor(private readonly http: UpstreamClient) {}

  async fetchTime(
    scope: TimeScope,
    accessToken: string,
    context: CallContext,
  ): Promise<TimeReading> {
    const answer = await this.http.send({
      method: 'GET',
      path: `/${scope}`,
      headers: { authorization: `Bearer ${accessToken}` },
      requestId: context.requestId,
      signal: context.signal,
    });
    if (answer.status !== 200) throw refusalOf(this.http.name, answer);
    if (scope === 'current_time') {
      const reply = parseReply(this.http.name, CurrentTimeResponseDto, answer.json);
      return { scope, currentTime: reply.current_time, user: reply.user };
    }
    const reply = parseReply(this.http.name, EpochTimeResponseDto, answer.json);
    return { scope, epochTime: reply.epoch_time, user: reply.user };
  }
}
