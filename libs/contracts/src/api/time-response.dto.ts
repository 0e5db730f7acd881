import { IsInt, IsISO8601, IsString, MaxLength, MinLength } from 'class-validator';

/** What the resource server and the webapp answer on /current_time. */
export class CurrentTimeResponseDto {
  @IsISO8601({ strict: true }) current_time!: string;
  @IsString() @MinLength(1) @MaxLength(256) user!: string;
}

/** What the resource server and the webapp answer on /epoch_time. */
export class EpochTimeResponseDto {
  @IsInt() epoch_time!: number;
  @IsString() @MinLength(1) @MaxLength(256) user!: string;
}
