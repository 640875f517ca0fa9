import { IsString } from 'class-validator';
import {
  IsAmqpUrl,
  IsFlag,
  IsLogLevel,
  IsPort,
  IsWholeNumber,
} from '@quor/platform';

/** Environment of webhook-delivery, validated at start-up. */
export class DeliveryServiceConfig {
  @IsAmqpUrl()
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  @IsPort()
  HTTP_PORT = 3002;

  @IsLogLevel()
  LOG_LEVEL = 'info';

  /** Jobs one worker handles at a time (the broker prefetch). */
  @IsWholeNumber(1, 1000)
  DELIVERY_CONCURRENCY = 64;

  /** Attempts one worker makes at a time to one origin (scheme, host, port). */
  @IsWholeNumber(1, 100)
  DELIVERY_PER_DESTINATION_CONCURRENCY = 4;

  /**
   * Allows loopback destinations (127.0.0.0/8, ::1). Only tests and the
   * demo set it; production manifests never do.
   */
  @IsFlag()
  EGRESS_ALLOW_LOOPBACK = false;

  /**
   * PEM file of CA certificates trusted in addition to the system's, for
   * test receivers. Certificate verification itself cannot be turned off.
   */
  @IsString()
  EGRESS_EXTRA_CA_FILE = '';
}

export const CONFIG = Symbol('DeliveryServiceConfig');
