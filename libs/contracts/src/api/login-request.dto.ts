import { IsIn } from 'class-validator';
import { type Scope, SCOPES } from './scope-table';

/** The webapp's `GET /login` query: the scope of the table the browser's login is for. */
export class LoginRequestDto {
  @IsIn(SCOPES) scope!: Scope;
}
