import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  value === true || value === 'true'
    ? true
    : value === false || value === 'false'
      ? false
      : value;

/** Environment of webhook-config, validated at start-up. */
export class ConfigServiceConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message:
      'must be a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/test',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

  @Matches(/^amqps?:\/\/.+/, {
    message: 'must be an AMQP URL such as amqp://guest:guest@127.0.0.1:5672',
  })
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a TCP port number from 1 to 65535' })
  @Min(1, { message: 'must be a TCP port number from 1 to 65535' })
  @Max(65535, { message: 'must be a TCP port number from 1 to 65535' })
  HTTP_PORT = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], {
    message: 'must be one of fatal, error, warn, info, debug, trace',
  })
  LOG_LEVEL = 'info';

  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  RUN_MIGRATIONS = true;

  /**
   * Accepts loopback webhook URLs (localhost, 127.0.0.0/8, ::1) on save.
   * Only tests and the demo set it; production manifests never do.
   */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  EGRESS_ALLOW_LOOPBACK = false;

  /** HS256 key shared with the UI gateway that signs bearer tokens. */
  @IsString()
  @MinLength(32, { message: 'must be a key of at least 32 characters' })
  JWT_SECRET = '';

  /** How often the outbox relay looks for unpublished changes. */
  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a whole number of milliseconds from 10 to 60000' })
  @Min(10, {
    message: 'must be a whole number of milliseconds from 10 to 60000',
  })
  @Max(60_000, {
    message: 'must be a whole number of milliseconds from 10 to 60000',
  })
  OUTBOX_POLL_INTERVAL_MS = 200;

  /** Days a delivery record is kept. */
  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a whole number of days from 1 to 3650' })
  @Min(1, { message: 'must be a whole number of days from 1 to 3650' })
  @Max(3650, { message: 'must be a whole number of days from 1 to 3650' })
  DELIVERY_RETENTION_DAYS = 30;

  /** Most delivery records kept per webhook; older ones are removed first. */
  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a whole number from 10 to 1000000' })
  @Min(10, { message: 'must be a whole number from 10 to 1000000' })
  @Max(1_000_000, { message: 'must be a whole number from 10 to 1000000' })
  DELIVERY_RETENTION_MAX_PER_WEBHOOK = 10_000;

  /** How long a rotated-out signing secret keeps signing deliveries. */
  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a whole number of seconds from 0 to 604800' })
  @Min(0, { message: 'must be a whole number of seconds from 0 to 604800' })
  @Max(604_800, {
    message: 'must be a whole number of seconds from 0 to 604800',
  })
  SECRET_ROTATION_OVERLAP_SECONDS = 86_400;
}

export const CONFIG = Symbol('ConfigServiceConfig');
