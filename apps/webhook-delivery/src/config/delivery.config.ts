import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  value === true || value === 'true'
    ? true
    : value === false || value === 'false'
      ? false
      : value;
const toNumber = ({ value }: { value: unknown }) => Number(value);

/** Environment of webhook-delivery, validated at start-up. */
export class DeliveryServiceConfig {
  @Matches(/^amqps?:\/\/.+/, {
    message: 'must be an AMQP URL such as amqp://guest:guest@127.0.0.1:5672',
  })
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @Transform(toNumber)
  @IsInt({ message: 'must be a TCP port number from 1 to 65535' })
  @Min(1, { message: 'must be a TCP port number from 1 to 65535' })
  @Max(65535, { message: 'must be a TCP port number from 1 to 65535' })
  HTTP_PORT = 3002;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], {
    message: 'must be one of fatal, error, warn, info, debug, trace',
  })
  LOG_LEVEL = 'info';

  /** Jobs one worker handles at a time (the broker prefetch). */
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 1000' })
  @Min(1, { message: 'must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'must be a whole number from 1 to 1000' })
  DELIVERY_CONCURRENCY = 64;

  /** Attempts one worker makes at a time to one origin (scheme, host, port). */
  @Transform(toNumber)
  @IsInt({ message: 'must be a whole number from 1 to 100' })
  @Min(1, { message: 'must be a whole number from 1 to 100' })
  @Max(100, { message: 'must be a whole number from 1 to 100' })
  DELIVERY_PER_DESTINATION_CONCURRENCY = 4;

  /**
   * Allows loopback destinations (127.0.0.0/8, ::1). Only tests and the
   * demo set it; production manifests never do.
   */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  EGRESS_ALLOW_LOOPBACK = false;

  /**
   * PEM file of CA certificates trusted in addition to the system's, for
   * test receivers. Certificate verification itself cannot be turned off.
   */
  @IsString()
  EGRESS_EXTRA_CA_FILE = '';
}

export const CONFIG = Symbol('DeliveryServiceConfig');
