import { DeliveryJobMessage, Plan } from '@quor/contracts';
import { WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ChangeClock, REGISTRY, WebhookChangedBody } from './fixtures';
import { waitFor } from './matcher-app';
import { TestBroker } from './test-broker';

/** Stored progress of one event, as the tests read it. */
export interface EventProgress {
  job_count: number;
  receive_count: number;
  completed_at: Date | null;
}

/**
 * Drives a running matcher through the broker: publishes changes and
 * events, and waits for their effect in the matcher's tables.
 */
export class MatcherDriver {
  readonly clock = new ChangeClock();

  constructor(
    readonly broker: TestBroker,
    readonly db: Client,
  ) {}

  /** Publishes `webhook.changed` and waits until that version is stored. */
  async webhook(body: WebhookChangedBody): Promise<WebhookChangedBody> {
    await this.broker.publish(WEBHOOKS_EXCHANGE, 'webhook.changed', body);
    await waitFor(`webhook ${body.webhook_id} version ${body.version}`, () =>
      this.rowExists('SELECT 1 FROM webhook WHERE id = $1 AND version = $2', [
        body.webhook_id,
        body.version,
      ]),
    );

    return body;
  }

  /** Publishes a subscription change and waits until it is stored. */
  async subscription(
    organizationId: string,
    image: string,
    subscribed: boolean,
    occurredAt = this.clock.tick(),
  ): Promise<void> {
    await this.broker.publishEvent(
      subscribed ? 'subscription.created' : 'subscription.deleted',
      {
        event_id: randomUUID(),
        occurred_at: occurredAt,
        organization_id: organizationId,
        registry: REGISTRY,
        image,
      },
    );
    await waitFor(`subscription of ${organizationId} to ${image}`, () =>
      this.rowExists(
        `SELECT 1 FROM subscription
         WHERE organization_id = $1 AND registry = $2 AND image = $3
           AND subscribed = $4 AND changed_at = $5`,
        [organizationId, REGISTRY, image, subscribed, occurredAt],
      ),
    );
  }

  /** Publishes a plan change and waits until it is stored. */
  async plan(
    organizationId: string,
    plan: Plan,
    trialStartedAt?: string,
    occurredAt = this.clock.tick(),
  ): Promise<void> {
    await this.broker.publishEvent('organization.plan_changed', {
      event_id: randomUUID(),
      occurred_at: occurredAt,
      organization_id: organizationId,
      plan,
      trial_started_at: trialStartedAt,
    });
    await waitFor(`plan ${plan} of ${organizationId}`, () =>
      this.rowExists(
        `SELECT 1 FROM organization_plan
         WHERE organization_id = $1 AND plan = $2 AND changed_at = $3`,
        [organizationId, plan, occurredAt],
      ),
    );
  }

  /** Sets up an enterprise organization subscribed to `image`. */
  async enterpriseSubscriber(organizationId: string, image: string) {
    await this.plan(organizationId, 'enterprise');
    await this.subscription(organizationId, image, true);
  }

  /**
   * Publishes `image.updated` and waits until the matcher completed its
   * fan-out and every job reached the test queue. Returns the jobs.
   */
  async fanOut(body: Record<string, unknown>): Promise<DeliveryJobMessage[]> {
    await this.broker.publishEvent('image.updated', body);

    return this.jobsOfCompletedEvent(body.event_id as string);
  }

  /** Waits for the event to complete and returns the jobs collected for it. */
  async jobsOfCompletedEvent(
    eventId: string,
    receptions = 1,
  ): Promise<DeliveryJobMessage[]> {
    const progress = await waitFor(`fan-out of event ${eventId}`, async () => {
      const event = await this.eventProgress(eventId);

      return event?.completed_at && event.receive_count >= receptions
        ? event
        : null;
    });
    await waitFor(
      `${progress.job_count} jobs of event ${eventId}`,
      async () => this.broker.jobsFor(eventId).length >= progress.job_count,
    );
    await this.broker.drainJobs();

    return this.broker.jobsFor(eventId);
  }

  async eventProgress(eventId: string): Promise<EventProgress | null> {
    const result = await this.db.query<EventProgress>(
      `SELECT job_count, receive_count, completed_at
       FROM processed_event WHERE event_id = $1`,
      [eventId],
    );

    return result.rows[0] ?? null;
  }

  private async rowExists(
    sql: string,
    parameters: unknown[],
  ): Promise<boolean> {
    const result = await this.db.query(sql, parameters);

    return (result.rowCount ?? 0) > 0;
  }
}
