import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  DELIVERY_REQUESTED,
  DeliveryJobMessage,
  parseJsonBody,
  validateMessage,
} from '@quor/contracts';
import { DeliveryAttemptService } from './delivery-attempt.service';

/**
 * Consumes delivery jobs. A job is acknowledged once the broker confirmed
 * its record, or once it was deferred. If publishing the record fails, the
 * job returns to the queue and the same delivery id is sent again, which
 * receivers deduplicate by `webhook-id`. A job for a stalled or busy
 * destination may come back many times, so it is deferred before it is
 * validated. It is validated once its destination takes attempts again.
 */
@RabbitConsumer()
export class DeliveryJobConsumer {
  constructor(private readonly attempts: DeliveryAttemptService) {}

  @EventPattern(DELIVERY_REQUESTED)
  async deliveryRequested(@Payload() body: Buffer): Promise<void> {
    const plain = parseJsonBody(body);
    if (await this.attempts.deferIfUnavailable(plain, body)) {
      return;
    }

    const job = validateMessage(DeliveryJobMessage, plain);
    await this.attempts.handle(job);
  }
}
