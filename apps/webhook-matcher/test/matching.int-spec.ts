import { randomUUID } from 'node:crypto';
import {
  imageUpdated,
  REGISTRY,
  uniqueImage,
  uniqueName,
  webhookChanged,
} from './support/fixtures';
import { useMatcherSuite } from './support/matcher-suite';

const DAY_MS = 24 * 60 * 60 * 1000;

function daysAgo(days: number): string {
  return new Date(Date.now() - days * DAY_MS).toISOString();
}

describe('matching rules', () => {
  const suite = useMatcherSuite();

  /** Publishes one image.updated for `image` and returns the webhook ids hit. */
  async function firedWebhooks(image: string): Promise<string[]> {
    const jobs = await suite.driver.fanOut(imageUpdated(image));

    return jobs.map((job) => job.webhook_id).sort();
  }

  it('fires enabled webhook of subscribed enterprise', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const webhook = await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);
  });

  it('skips disabled webhook', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const enabled = await suite.driver.webhook(webhookChanged(organization));
    await suite.driver.webhook(
      webhookChanged(organization, { enabled: false }),
    );

    expect(await firedWebhooks(image)).toEqual([enabled.webhook_id]);
  });

  it('skips webhook without image.updated type', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    await suite.driver.webhook(
      webhookChanged(organization, { event_types: [] }),
    );

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('fires explicit image selection only', async () => {
    const organization = uniqueName('org');
    const selected = uniqueImage('selected');
    const other = uniqueImage('other');
    await suite.driver.enterpriseSubscriber(organization, selected);
    await suite.driver.subscription(organization, other, true);
    const webhook = await suite.driver.webhook(
      webhookChanged(organization, {
        all_images: false,
        images: [{ registry: REGISTRY, image: selected }],
      }),
    );

    expect(await firedWebhooks(selected)).toEqual([webhook.webhook_id]);
    expect(await firedWebhooks(other)).toEqual([]);
  });

  it('skips explicit image of another registry', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    await suite.driver.webhook(
      webhookChanged(organization, {
        all_images: false,
        images: [{ registry: 'mirror.quor.dev', image }],
      }),
    );

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('fires all-images webhook for later subscription', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.plan(organization, 'enterprise');
    const webhook = await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([]);

    await suite.driver.subscription(organization, image, true);

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);
  });

  it('stops firing after unsubscription', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const allImages = await suite.driver.webhook(webhookChanged(organization));
    const explicit = await suite.driver.webhook(
      webhookChanged(organization, {
        all_images: false,
        images: [{ registry: REGISTRY, image }],
      }),
    );

    expect(await firedWebhooks(image)).toEqual(
      [allImages.webhook_id, explicit.webhook_id].sort(),
    );

    await suite.driver.subscription(organization, image, false);

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('skips organization not subscribed to image', async () => {
    const subscriber = uniqueName('org');
    const outsider = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(subscriber, image);
    await suite.driver.plan(outsider, 'enterprise');
    const webhook = await suite.driver.webhook(webhookChanged(subscriber));
    await suite.driver.webhook(webhookChanged(outsider));

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);
  });

  it('skips free plan', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.plan(organization, 'free');
    await suite.driver.subscription(organization, image, true);
    await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('skips organization without known plan', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.subscription(organization, image, true);
    await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('fires trial younger than 14 days', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.plan(organization, 'trial', daysAgo(13));
    await suite.driver.subscription(organization, image, true);
    const webhook = await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);
  });

  it('skips trial older than 14 days', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.plan(organization, 'trial', daysAgo(15));
    await suite.driver.subscription(organization, image, true);
    await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('stops firing after downgrade to free', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const webhook = await suite.driver.webhook(webhookChanged(organization));

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);

    await suite.driver.plan(organization, 'free');

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('skips deleted webhook', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const webhook = await suite.driver.webhook(webhookChanged(organization));
    await suite.driver.webhook({ ...webhook, version: 2, deleted: true });

    expect(await firedWebhooks(image)).toEqual([]);
  });

  it('fires re-enabled webhook', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const webhook = await suite.driver.webhook(
      webhookChanged(organization, { enabled: false }),
    );

    expect(await firedWebhooks(image)).toEqual([]);

    await suite.driver.webhook({ ...webhook, version: 2, enabled: true });

    expect(await firedWebhooks(image)).toEqual([webhook.webhook_id]);
  });
});

describe('duplicate events', () => {
  const suite = useMatcherSuite();

  it('gives one job each for event twice', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const webhooks = [
      await suite.driver.webhook(webhookChanged(organization)),
      await suite.driver.webhook(webhookChanged(organization)),
      await suite.driver.webhook(webhookChanged(organization)),
    ];
    const body = imageUpdated(image);

    await Promise.all([
      suite.broker.publishEvent('image.updated', body),
      suite.broker.publishEvent('image.updated', body),
    ]);
    const jobs = await suite.driver.jobsOfCompletedEvent(
      body.event_id as string,
      2,
    );

    expect(jobs.map((job) => job.webhook_id).sort()).toEqual(
      webhooks.map((webhook) => webhook.webhook_id).sort(),
    );
  });

  it('keeps first match for later duplicate', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    const first = await suite.driver.webhook(webhookChanged(organization));
    const body = imageUpdated(image);
    await suite.driver.fanOut(body);

    await suite.driver.webhook(webhookChanged(organization));
    await suite.broker.publishEvent('image.updated', body);
    const jobs = await suite.driver.jobsOfCompletedEvent(
      body.event_id as string,
      2,
    );

    expect(jobs.map((job) => job.webhook_id)).toEqual([first.webhook_id]);
  });

  it('deletes job rows of completed event', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    await suite.driver.webhook(webhookChanged(organization));
    await suite.driver.webhook(webhookChanged(organization));
    const body = imageUpdated(image);

    await suite.driver.fanOut(body);
    const rows = await suite.db.query(
      `SELECT 1 FROM fan_out_target j JOIN processed_event e ON e.seq = j.event_seq
       WHERE e.event_id = $1`,
      [body.event_id],
    );

    expect(rows.rowCount).toBe(0);
    expect(
      await suite.driver.eventProgress(body.event_id as string),
    ).toMatchObject({
      job_count: 2,
      receive_count: 1,
    });
  });

  it('gives distinct events their own jobs', async () => {
    const organization = uniqueName('org');
    const image = uniqueImage();
    await suite.driver.enterpriseSubscriber(organization, image);
    await suite.driver.webhook(webhookChanged(organization));

    const first = await suite.driver.fanOut(imageUpdated(image));
    const second = await suite.driver.fanOut(
      imageUpdated(image, { event_id: randomUUID() }),
    );

    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first[0].delivery_id).not.toBe(second[0].delivery_id);
  });
});
