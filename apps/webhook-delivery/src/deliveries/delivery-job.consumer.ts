import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  parseMessage,
} from '@quor/contracts';
import { DeliveryAttemptService } from './delivery-attempt.service';

/**
 * Consumes delivery jobs. A job is acknowledged once the broker confirmed
 * its record, or once it was deferred. If publishing the record fails, the
 * job returns to the queue and the same delivery id is sent again, which
 * receivers deduplicate by `webhook-id`.
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
