import { Inject, Logger } from '@nestjs/common';
import { RabbitConsumer } from '@quor/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  InvalidMessageError,
  parseMessage,
  PING_EVENT_TYPE,
  TEST_CONNECTION_QUEUE,
  TestConnectionRequest,
  TestConnectionResult,
} from '@quor/contracts';
import { generateWebhookSecret, SafeHttpClient } from '@quor/egress';
import { randomUUID } from 'node:crypto';
import { DeliveryAttemptService } from '../deliveries/delivery-attempt.service';

/**
 * Handles test-connection requests: one signed ping to an unsaved URL under
 * the same egress rules as deliveries, signed with a throwaway secret.
 */
/** HTTP client for test connections, with a shorter hard deadline. */
export const TEST_CONNECTION_CLIENT = Symbol('TestConnectionClient');

/**
 * Hard deadline of a test-connection attempt. Headers must still arrive
 * within 5 seconds, and body reading stops earlier than for deliveries. So
 * the caller gets its reply within about 6 seconds even from an endpoint
 * that sends its body slowly.
 */
export const TEST_CONNECTION_DEADLINE_MS = 5_500;

@RabbitConsumer()
export class TestConnectionConsumer {
  private readonly logger = new Logger(TestConnectionConsumer.name);

  constructor(
    private readonly attempts: DeliveryAttemptService,
    @Inject(TEST_CONNECTION_CLIENT) private readonly client: SafeHttpClient,
  ) {}

  @MessagePattern(TEST_CONNECTION_QUEUE)
  async testConnection(@Payload() body: Buffer): Promise<TestConnectionResult> {
    const request = parseMessage(TestConnectionRequest, body);
    if (!request.url) {
      throw new InvalidMessageError('url is missing');
    }
    const now = new Date();
    const record = await this.attempts.attempt(
      {
        delivery_id: randomUUID(),
        attempt_id: randomUUID(),
        kind: 'ping',
        event_id: `ping-${randomUUID()}`,
        event_type: PING_EVENT_TYPE,
        occurred_at: now.toISOString(),
        organization_id: request.organization_id,
        webhook_id: randomUUID(),
        url: request.url,
        secrets: [generateWebhookSecret()],
        payload: { type: PING_EVENT_TYPE, sent_at: now.toISOString() },
        published_at: now.toISOString(),
      },
      this.client,
    );
    this.logger.log(
      { organization_id: request.organization_id, outcome: record.outcome },
      'test connection attempted',
    );

    return {
      outcome: record.outcome,
      error_message: record.error_message,
      response: record.response
        ? {
            status: record.response.status,
            content_type: record.response.content_type,
            body: record.response.body,
            body_truncated: record.response.body_truncated,
          }
        : null,
      timings: record.timings,
    };
  }
}
