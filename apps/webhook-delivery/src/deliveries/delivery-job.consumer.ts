import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  parseMessage,
} from '@quor/contracts';
import { DeliveryAttemptService } from './delivery-attempt.service';

/**
 * Consumes delivery jobs. The job is acknowledged once its record is
 * confirmed by the broker (or the job is deferred); if publishing the record
 * fails, the job returns to the queue and the same delivery id is sent
 * again, which receivers deduplicate by `webhook-id`.
 */
@RabbitConsumer()
export class DeliveryJobConsumer {
  constructor(private readonly attempts: DeliveryAttemptService) {}

  @EventPattern(DELIVERY_REQUESTED)
  async deliveryRequested(@Payload() body: Buffer): Promise<void> {
    const job = parseMessage(DeliveryJobMessage, body);
    await this.attempts.handle(job);
  }
}
