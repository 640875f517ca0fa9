import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

const toNumber = ({ value }: { value: unknown }) => Number(value);

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === 'true' || value === true) {
    return true;
  }
  if (value === 'false' || value === false) {
    return false;
  }

  return value;
};

/** Environment of webhook-matcher, validated at start-up. */
export class MatcherConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message:
      'must be a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/test',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

  @Matches(/^amqps?:\/\/.+/, {
    message: 'must be an AMQP URL such as amqp://guest:guest@127.0.0.1:5672',
  })
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @Transform(toNumber)
  @IsInt({ message: 'must be a TCP port number from 1 to 65535' })
  @Min(1, { message: 'must be a TCP port number from 1 to 65535' })
  @Max(65535, { message: 'must be a TCP port number from 1 to 65535' })
  HTTP_PORT = 3001;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], {
    message: 'must be one of fatal, error, warn, info, debug, trace',
  })
  LOG_LEVEL = 'info';

  /** Runs pending migrations at start-up; when false, a pending one stops it. */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  RUN_MIGRATIONS = true;

  /**
   * Unacknowledged messages per consumed queue. On the image.updated queue
   * this is also the maximum number of fan-outs in progress at a time.
   */
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 1000' })
  @Min(1, { message: 'must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'must be a whole number from 1 to 1000' })
  MATCHER_PREFETCH = 8;

  /**
   * Delivery jobs read, published and marked as published together. Memory
   * of one fan-out grows with this number, not with the number of matches.
   */
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 50000' })
  @Min(1, { message: 'must be a whole number from 1 to 50000' })
  @Max(50_000, { message: 'must be a whole number from 1 to 50000' })
  FAN_OUT_BATCH_SIZE = 1000;
}

export const MATCHER_CONFIG = Symbol('MatcherConfig');
