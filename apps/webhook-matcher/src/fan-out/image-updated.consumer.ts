import { Logger } from '@nestjs/common';
import { RabbitConsumer } from '@quor/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  IMAGE_UPDATED,
  ImageUpdatedMessage,
  parseMessage,
} from '@quor/contracts';
import { FanOutService } from './fan-out.service';

/**
 * Consumes `image.updated`. Returning acknowledges the message after every
 * job was confirmed by the broker; an invalid body throws
 * InvalidMessageError, which dead-letters it.
 */
@RabbitConsumer()
export class ImageUpdatedConsumer {
  private readonly logger = new Logger(ImageUpdatedConsumer.name);

  constructor(private readonly fanOut: FanOutService) {}

  @EventPattern(IMAGE_UPDATED)
  async imageUpdated(@Payload() body: Buffer): Promise<void> {
    const message = parseMessage(ImageUpdatedMessage, body);

    const started = performance.now();
    const result = await this.fanOut.fanOut(message);

    this.logger.log(
      {
        event_id: message.event_id,
        registry: message.registry,
        image: message.image,
        webhooks: result.jobs,
        published: result.published,
        duration_ms: Math.round(performance.now() - started),
      },
      result.outcome === 'duplicate'
        ? 'fan-out already complete; duplicate event acknowledged'
        : 'fan-out published',
    );
  }
}
