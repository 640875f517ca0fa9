import { validateMessage, WebhookChangedMessage } from '@quor/contracts';
import { DEAD_LETTER_REASON_HEADER, WEBHOOKS_EXCHANGE } from '@quor/messaging';
import { randomUUID } from 'node:crypto';
import { ReadModelService } from '../src/read-model/read-model.service';
import {
  imageUpdated,
  REGISTRY,
  uniqueImage,
  uniqueName,
  webhookChanged,
  WebhookChangedBody,
} from './support/fixtures';
import { waitFor } from './support/matcher-app';
import { useMatcherSuite } from './support/matcher-suite';

interface StoredWebhook {
  version: string;
  url: string;
  enabled: boolean;
  images: string[] | null;
}

// One unacknowledged message at a time keeps the changes queue in order, so
// a change published after others proves that those were processed.
describe('read model', () => {
  const suite = useMatcherSuite({ MATCHER_PREFETCH: '1' });

  async function storedWebhook(id: string): Promise<StoredWebhook> {
    const result = await suite.db.query<StoredWebhook>(
      `SELECT w.version, w.url, w.enabled,
         array_agg(i.image ORDER BY i.image)
           FILTER (WHERE i.image IS NOT NULL) AS images
       FROM webhook w LEFT JOIN webhook_image i ON i.webhook_id = w.id
       WHERE w.id = $1 GROUP BY w.id`,
      [id],
    );

    return result.rows[0];
  }

  async function subscribed(organizationId: string, image: string) {
    const result = await suite.db.query<{ subscribed: boolean }>(
      `SELECT subscribed FROM subscription
       WHERE organization_id = $1 AND registry = $2 AND image = $3`,
      [organizationId, REGISTRY, image],
    );

    return result.rows[0]?.subscribed;
  }

  /** Publishes a plan change after everything before it and waits for it. */
  async function settleChanges(): Promise<void> {
    await suite.driver.plan(uniqueName('sentinel'), 'free');
  }

  async function publishWebhook(body: WebhookChangedBody): Promise<void> {
    await suite.broker.publish(WEBHOOKS_EXCHANGE, 'webhook.changed', body);
  }

  async function publishSubscription(
    organizationId: string,
    image: string,
    subscribedNow: boolean,
    occurredAt: string,
  ): Promise<void> {
    await suite.broker.publishEvent(
      subscribedNow ? 'subscription.created' : 'subscription.deleted',
      {
        event_id: randomUUID(),
        occurred_at: occurredAt,
        organization_id: organizationId,
        registry: REGISTRY,
        image,
      },
    );
  }

  it('stores webhook with its images', async () => {
    const webhook = await suite.driver.webhook(
      webhookChanged(uniqueName('org'), {
        all_images: false,
        images: [
          { registry: REGISTRY, image: 'team/b' },
          { registry: REGISTRY, image: 'team/a' },
        ],
      }),
    );

    expect(await storedWebhook(webhook.webhook_id)).toEqual({
      version: '1',
      url: webhook.url,
      enabled: true,
      images: ['team/a', 'team/b'],
    });
  });

  it('replaces image list with newer version', async () => {
    const first = await suite.driver.webhook(
      webhookChanged(uniqueName('org'), {
        all_images: false,
        images: [{ registry: REGISTRY, image: 'team/old' }],
      }),
    );

    await suite.driver.webhook({
      ...first,
      version: 2,
      images: [{ registry: REGISTRY, image: 'team/new' }],
    });

    expect((await storedWebhook(first.webhook_id)).images).toEqual([
      'team/new',
    ]);
  });

  it('ignores webhook version 1 after version 2', async () => {
    const first = webhookChanged(uniqueName('org'), {
      url: 'https://127.0.0.1:9/first',
    });
    const second = {
      ...first,
      version: 2,
      url: 'https://127.0.0.1:9/second',
      images: [{ registry: REGISTRY, image: 'team/second' }],
    };

    await suite.driver.webhook(second);
    await publishWebhook(first);
    await settleChanges();

    expect(await storedWebhook(first.webhook_id)).toEqual({
      version: '2',
      url: 'https://127.0.0.1:9/second',
      enabled: true,
      images: ['team/second'],
    });
  });

  it('ignores second message with same version', async () => {
    const webhook = await suite.driver.webhook(
      webhookChanged(uniqueName('org')),
    );

    await publishWebhook({ ...webhook, url: 'https://127.0.0.1:9/other' });
    await settleChanges();

    expect((await storedWebhook(webhook.webhook_id)).url).toBe(webhook.url);
  });

  it('does not fire webhook disabled by newer version', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const enabled = webhookChanged(organization);

    await suite.driver.webhook({ ...enabled, version: 2, enabled: false });
    await publishWebhook(enabled);
    await settleChanges();

    expect(await suite.driver.fanOut(imageUpdated(image))).toEqual([]);
  });

  it('keeps unsubscription against older creation', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    const created = suite.driver.clock.tick();
    const deleted = suite.driver.clock.tick();

    await suite.driver.subscription(organization, image, false, deleted);
    await publishSubscription(organization, image, true, created);
    await settleChanges();

    expect(await subscribed(organization, image)).toBe(false);
  });

  it('applies creation newer than unsubscription', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    const deleted = suite.driver.clock.tick();
    const created = suite.driver.clock.tick();

    await suite.driver.subscription(organization, image, true, created);
    await publishSubscription(organization, image, false, deleted);
    await settleChanges();

    expect(await subscribed(organization, image)).toBe(true);
  });

  it('lets unsubscription win a tie in either order', async () => {
    const image = uniqueImage();
    const createdFirst = uniqueName('org');
    const deletedFirst = uniqueName('org');
    const occurredAt = suite.driver.clock.tick();

    await publishSubscription(createdFirst, image, true, occurredAt);
    await publishSubscription(createdFirst, image, false, occurredAt);
    await publishSubscription(deletedFirst, image, false, occurredAt);
    await publishSubscription(deletedFirst, image, true, occurredAt);
    await settleChanges();

    expect(await subscribed(createdFirst, image)).toBe(false);
    expect(await subscribed(deletedFirst, image)).toBe(false);
  });

  it('ignores older plan change', async () => {
    const organization = uniqueName('org');
    const older = suite.driver.clock.tick();
    const newer = suite.driver.clock.tick();

    await suite.driver.plan(organization, 'enterprise', undefined, newer);
    await suite.broker.publishEvent('organization.plan_changed', {
      event_id: randomUUID(),
      occurred_at: older,
      organization_id: organization,
      plan: 'free',
    });
    await settleChanges();
    const result = await suite.db.query(
      'SELECT plan FROM organization_plan WHERE organization_id = $1',
      [organization],
    );

    expect(result.rows).toEqual([{ plan: 'enterprise' }]);
  });

  it('starts trial at occurred_at when start is omitted', async () => {
    const organization = uniqueName('org');
    const occurredAt = suite.driver.clock.tick();

    await suite.driver.plan(organization, 'trial', undefined, occurredAt);
    const result = await suite.db.query<{ trial_started_at: Date }>(
      'SELECT trial_started_at FROM organization_plan WHERE organization_id = $1',
      [organization],
    );

    expect(result.rows[0].trial_started_at.toISOString()).toBe(occurredAt);
  });

  it('dead-letters webhook.changed without version', async () => {
    const messageId = randomUUID();
    const body: Partial<WebhookChangedBody> = webhookChanged(uniqueName('org'));
    delete body.version;

    await suite.broker.publish(
      WEBHOOKS_EXCHANGE,
      'webhook.changed',
      body,
      messageId,
    );
    const letter = await waitFor('dead letter of webhook.changed', async () =>
      suite.broker.deadLetterWithId(messageId),
    );

    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toMatch(/^version: /);
  });

  it('dead-letters webhook URL with NUL', async () => {
    const messageId = randomUUID();
    const body = webhookChanged(uniqueName('org'), {
      url: 'https://127.0.0.1:9/hooks/\u0000',
    });

    await suite.broker.publish(
      WEBHOOKS_EXCHANGE,
      'webhook.changed',
      body,
      messageId,
    );
    const letter = await waitFor('dead letter of webhook.changed', async () =>
      suite.broker.deadLetterWithId(messageId),
    );

    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toBe(
      'url: url contains a NUL character; send the URL as saved',
    );
  });

  it('dead-letters subscription without organization', async () => {
    const messageId = randomUUID();

    await suite.broker.publishEvent(
      'subscription.created',
      {
        event_id: randomUUID(),
        occurred_at: suite.driver.clock.tick(),
        registry: REGISTRY,
        image: uniqueImage(),
      },
      messageId,
    );
    const letter = await waitFor('dead letter of subscription', async () =>
      suite.broker.deadLetterWithId(messageId),
    );

    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toMatch(
      /^organization_id: /,
    );
  });

  it('keeps highest of concurrent webhook versions', async () => {
    const readModel = suite.matcher.app.get(ReadModelService);
    const base = webhookChanged(uniqueName('org'), { all_images: false });
    const versions = Array.from({ length: 20 }, (_, index) => index + 1);
    const shuffled = [...versions].sort(() => Math.random() - 0.5);

    await Promise.all(
      shuffled.map((version) =>
        readModel.applyWebhookChanged(
          validateMessage(WebhookChangedMessage, {
            ...base,
            version,
            url: `https://127.0.0.1:9/v${version}`,
            images: [{ registry: REGISTRY, image: `team/v${version}` }],
          }),
        ),
      ),
    );

    expect(await storedWebhook(base.webhook_id)).toEqual({
      version: '20',
      url: 'https://127.0.0.1:9/v20',
      enabled: true,
      images: ['team/v20'],
    });
  });
});
