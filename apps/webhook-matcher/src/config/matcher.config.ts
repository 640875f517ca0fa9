import {
  IsAmqpUrl,
  IsDatabaseUrl,
  IsFlag,
  IsLogLevel,
  IsPort,
  IsWholeNumber,
} from '@quor/platform';

/** Environment of webhook-matcher, validated at start-up. */
export class MatcherConfig {
  @IsDatabaseUrl()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

  @IsAmqpUrl()
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @IsPort()
  HTTP_PORT = 3001;

  @IsLogLevel()
  LOG_LEVEL = 'info';

  /** Runs pending migrations at start-up; when false, a pending one stops it. */
  @IsFlag()
  RUN_MIGRATIONS = true;

  /**
   * Unacknowledged messages per consumed queue. On the image.updated queue
   * this is also the maximum number of fan-outs in progress at a time. Each
   * unit needs up to three database connections (matcherPoolSize).
   */
  @IsWholeNumber(1, 32)
  MATCHER_PREFETCH = 8;

  /**
   * Delivery jobs read, published and marked as published together. Memory
   * of one fan-out grows with this number, not with the number of matches.
   */
  @IsWholeNumber(1, 50_000)
  FAN_OUT_BATCH_SIZE = 1000;

  /**
   * Days a completed fan-out is remembered. A message with the same event
   * id that arrives later fans out again.
   */
  @IsWholeNumber(1, 3650)
  PROCESSED_EVENT_RETENTION_DAYS = 30;

  /**
   * Milliseconds shutdown waits for fan-outs in progress before it stops
   * them between two batches. The maximum stays below the 15 s the consumer
   * waits for its handlers, so a stopped fan-out can still hand its message
   * back to the queue.
   */
  @IsWholeNumber(0, 14_000)
  MATCHER_SHUTDOWN_GRACE_MS = 10_000;
}

export const MATCHER_CONFIG = Symbol('MatcherConfig');

/**
 * Returns the database connections the matcher needs for `prefetch`. Each
 * fan-out in progress keeps one for its cursor and uses one more while it
 * records progress, each change being applied uses one, and health checks
 * and retention take the last two. With a smaller pool, the fan-out that
 * has the event's lock could wait for a connection that receptions waiting
 * for that lock keep.
 */
export function matcherPoolSize(prefetch: number): number {
  return 3 * prefetch + 2;
}
