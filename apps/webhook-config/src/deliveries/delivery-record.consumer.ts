import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DELIVERY_COMPLETED } from '@quor/contracts';
import { ConfigServiceMetrics } from '@quor/platform';
import { DeliveriesService } from './deliveries.service';
import { parseDeliveryRecord } from './delivery-record.check';

/**
 * Stores the records that delivery workers publish. While PostgreSQL is
 * down the handler fails and the record goes back to the queue, so nothing
 * is lost.
 */
@RabbitConsumer()
export class DeliveryRecordConsumer {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly metrics: ConfigServiceMetrics,
  ) {}

  @EventPattern(DELIVERY_COMPLETED)
  async deliveryCompleted(@Payload() body: Buffer) {
    const stored = await this.deliveries.store(parseDeliveryRecord(body));
    if (stored) {
      this.metrics.deliveryRecordsStored.inc();
    }
  }
}
