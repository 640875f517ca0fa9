import { JwtService } from '@nestjs/jwt';
import { EVENTS_EXCHANGE, WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { randomUUID } from 'node:crypto';

/** HS256 key the tests give webhook-config; not used anywhere else. */
export const TEST_JWT_SECRET = 'operations-test-jwt-key-0123456789abcdef';

/**
 * Plays the platform and the UI gateway: publishes platform events to the
 * broker and calls the REST API of webhook-config with a bearer token.
 */
export class PlatformClient {
  readonly organizationId = `ops-${randomUUID().slice(0, 8)}`;
  readonly token: string;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {
    this.token = new JwtService({ secret: TEST_JWT_SECRET }).sign(
      { organization_id: this.organizationId },
      { algorithm: 'HS256', expiresIn: '10m' },
    );
  }

  static async connect(amqpUrl: string): Promise<PlatformClient> {
    const connection = await connect(amqpUrl);
    const channel = await connection.createConfirmChannel();

    return new PlatformClient(connection, channel);
  }

  /** Publishes to `quor.events` and waits for the broker's confirmation. */
  async publishEvent(
    routingKey: string,
    body: object | string,
    messageId?: string,
  ): Promise<void> {
    await this.publish(EVENTS_EXCHANGE, routingKey, body, messageId);
  }

  /** Publishes to `quor.webhooks` and waits for the broker's confirmation. */
  async publishWebhookMessage(
    routingKey: string,
    body: object | string,
    messageId?: string,
  ): Promise<void> {
    await this.publish(WEBHOOKS_EXCHANGE, routingKey, body, messageId);
  }

  /** Puts the organization on the Trial plan, started now. */
  async startTrial(): Promise<void> {
    const now = new Date().toISOString();
    await this.publishEvent('organization.plan_changed', {
      event_id: randomUUID(),
      occurred_at: now,
      organization_id: this.organizationId,
      plan: 'trial',
      trial_started_at: now,
    });
  }

  async subscribe(registry: string, image: string): Promise<void> {
    await this.publishEvent('subscription.created', {
      event_id: randomUUID(),
      occurred_at: new Date().toISOString(),
      organization_id: this.organizationId,
      registry,
      image,
    });
  }

  /** Calls webhook-config at `baseUrl` with the organization's token. */
  async api(
    baseUrl: string,
    method: string,
    route: string,
    body?: object,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();

    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  /**
   * Takes every message that is ready in `queue` and returns the bodies.
   * The queue must exist.
   */
  async takeMessages(queue: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const message = await this.channel.get(queue, { noAck: true });
      if (message === false) {
        return bodies;
      }
      bodies.push(message.content.toString('utf8'));
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private async publish(
    exchange: string,
    routingKey: string,
    body: object | string,
    messageId?: string,
  ): Promise<void> {
    const content = Buffer.from(
      typeof body === 'string' ? body : JSON.stringify(body),
    );
    await new Promise<void>((resolve, reject) =>
      this.channel.publish(
        exchange,
        routingKey,
        content,
        { persistent: true, contentType: 'application/json', messageId },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
}
