import { IsString, MinLength } from 'class-validator';
import {
  IsAmqpUrl,
  IsDatabaseUrl,
  IsFlag,
  IsLogLevel,
  IsPort,
  IsWholeNumber,
} from '@quor/platform';

/** Environment of webhook-config, validated at start-up. */
export class ConfigServiceConfig {
  @IsDatabaseUrl()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

  @IsAmqpUrl()
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @IsPort()
  HTTP_PORT = 3000;

  @IsLogLevel()
  LOG_LEVEL = 'info';

  @IsFlag()
  RUN_MIGRATIONS = true;

  /**
   * Accepts loopback webhook URLs (localhost, 127.0.0.0/8, ::1) on save.
   * Only tests and the demo set it; production manifests never do.
   */
  @IsFlag()
  EGRESS_ALLOW_LOOPBACK = false;

  /** HS256 key shared with the UI gateway that signs bearer tokens. */
  @IsString()
  @MinLength(32, { message: 'must be a key of at least 32 characters' })
  JWT_SECRET = '';

  /** How often the outbox relay looks for unpublished changes. */
  @IsWholeNumber(10, 60_000, 'milliseconds')
  OUTBOX_POLL_INTERVAL_MS = 200;

  /** Days a delivery record is kept. */
  @IsWholeNumber(1, 3650, 'days')
  DELIVERY_RETENTION_DAYS = 30;

  /** Most delivery records kept per webhook; older ones are removed first. */
  @IsWholeNumber(10, 1_000_000)
  DELIVERY_RETENTION_MAX_PER_WEBHOOK = 10_000;

  /**
   * Test connections and pings one organization may send per minute, over
   * all replicas; more get 429.
   */
  @IsWholeNumber(1, 10_000)
  OUTBOUND_TESTS_PER_MINUTE = 20;

  /** How long a rotated-out signing secret keeps signing deliveries. */
  @IsWholeNumber(0, 604_800, 'seconds')
  SECRET_ROTATION_OVERLAP_SECONDS = 86_400;
}

export const CONFIG = Symbol('ConfigServiceConfig');
