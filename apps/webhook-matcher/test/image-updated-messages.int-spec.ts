import {
  DeliveryJobMessage,
  ImageUpdatedMessage,
  toImageUpdatedPayload,
  validateMessage,
} from '@quor/contracts';
import { DEAD_LETTER_REASON_HEADER, QUEUES } from '@quor/messaging';
import { randomUUID } from 'node:crypto';
import { deliveryIdFor, firstAttemptIdFor } from '../src/fan-out/delivery-job';
import {
  EXAMPLE_IMAGE_UPDATED,
  REGISTRY,
  uniqueName,
  webhookChanged,
  WebhookChangedBody,
} from './support/fixtures';
import { waitFor } from './support/matcher-app';
import { useMatcherSuite } from './support/matcher-suite';

/** Returns the example body with a new event_id, optionally changed. */
function exampleBody(
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...EXAMPLE_IMAGE_UPDATED, event_id: randomUUID(), ...changes };
}

describe('image.updated messages', () => {
  const suite = useMatcherSuite();
  let matching: WebhookChangedBody[];

  /** Webhook ids that received a job, sorted. */
  function webhookIds(jobs: DeliveryJobMessage[]): string[] {
    return jobs.map((job) => job.webhook_id).sort();
  }

  function matchingIds(): string[] {
    return matching.map((webhook) => webhook.webhook_id).sort();
  }

  beforeAll(async () => {
    const image = EXAMPLE_IMAGE_UPDATED.image;
    const first = uniqueName('org');
    const second = uniqueName('org');
    const outsider = uniqueName('org');
    await suite.driver.enterpriseSubscriber(first, image);
    await suite.driver.enterpriseSubscriber(second, image);
    await suite.driver.plan(outsider, 'enterprise');

    matching = [
      await suite.driver.webhook(webhookChanged(first)),
      await suite.driver.webhook(
        webhookChanged(second, {
          all_images: false,
          images: [{ registry: REGISTRY, image }],
        }),
      ),
    ];
    await suite.driver.webhook(webhookChanged(outsider));
  });

  it('example body gives one job per matching webhook', async () => {
    const jobs = await suite.driver.fanOut({ ...EXAMPLE_IMAGE_UPDATED });

    expect(webhookIds(jobs)).toEqual(matchingIds());
  });

  it('same body twice gives each webhook one job', async () => {
    const body = exampleBody();

    await suite.broker.publishEvent('image.updated', body);
    await suite.broker.publishEvent('image.updated', body);
    const jobs = await suite.driver.jobsOfCompletedEvent(
      body.event_id as string,
      2,
    );

    expect(webhookIds(jobs)).toEqual(matchingIds());
  });

  it('dead-letters body that is not JSON', async () => {
    const messageId = randomUUID();

    await suite.broker.publishEvent('image.updated', 'not json', messageId);
    const letter = await waitFor('dead letter of the non-JSON body', async () =>
      suite.broker.deadLetterWithId(messageId),
    );

    expect(letter.content).toBe('not json');
    expect(letter.routingKey).toBe('image.updated');
    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toMatch(
      /body is not valid JSON/,
    );
  });

  it('keeps consuming after a dead-lettered body', async () => {
    await suite.broker.publishEvent('image.updated', 'not json', randomUUID());

    const jobs = await suite.driver.fanOut(exampleBody());

    expect(webhookIds(jobs)).toEqual(matchingIds());
  });

  it('dead-letters JSON without digest naming digest', async () => {
    const messageId = randomUUID();
    const body = exampleBody();
    delete body.digest;

    await suite.broker.publishEvent('image.updated', body, messageId);
    const letter = await waitFor(
      'dead letter of the body without digest',
      async () => suite.broker.deadLetterWithId(messageId),
    );

    expect(letter.headers[DEAD_LETTER_REASON_HEADER]).toMatch(/^digest: /);
    expect(
      await suite.driver.eventProgress(body.event_id as string),
    ).toBeNull();
  });

  it('accepts null previous digest and empty manifests', async () => {
    const body = exampleBody({ previous_digest: null, previous_manifests: [] });

    const jobs = await suite.driver.fanOut(body);

    expect(webhookIds(jobs)).toEqual(matchingIds());
    expect(jobs[0].payload.previous_digest).toBeNull();
    expect(jobs[0].payload.previous_manifests).toEqual([]);
  });

  it('accepts omitted previous digest and manifests', async () => {
    const body = exampleBody();
    delete body.previous_digest;
    delete body.previous_manifests;

    const jobs = await suite.driver.fanOut(body);

    expect(webhookIds(jobs)).toEqual(matchingIds());
    expect(jobs[0].payload.previous_digest).toBeNull();
    expect(jobs[0].payload.previous_manifests).toEqual([]);
  });

  it('accepts unknown field and leaves it out of payload', async () => {
    const body = exampleBody({ unknown_field: 'ignored' });

    const jobs = await suite.driver.fanOut(body);

    expect(webhookIds(jobs)).toEqual(matchingIds());
    for (const job of jobs) {
      expect(job.payload).not.toHaveProperty('unknown_field');
    }
  });

  it('acknowledges image nobody subscribes to without jobs', async () => {
    const body = exampleBody({ image: 'default/nobody-subscribes' });

    const jobs = await suite.driver.fanOut(body);
    const progress = await suite.driver.eventProgress(body.event_id as string);

    expect(jobs).toEqual([]);
    expect(progress?.job_count).toBe(0);
    expect(await suite.broker.queueDepth(QUEUES.matcherImageUpdated.name)).toBe(
      0,
    );
  });

  it('job carries event, webhook and stable ids', async () => {
    const body = exampleBody();
    const [webhook] = matching;

    const jobs = await suite.driver.fanOut(body);
    const job = jobs.find(
      (candidate) => candidate.webhook_id === webhook.webhook_id,
    );
    const eventId = body.event_id as string;

    expect(job).toBeDefined();
    expect(() => validateMessage(DeliveryJobMessage, job)).not.toThrow();
    expect(job).toEqual({
      delivery_id: deliveryIdFor(eventId, webhook.webhook_id),
      attempt_id: firstAttemptIdFor(eventId, webhook.webhook_id),
      kind: 'event',
      event_id: eventId,
      event_type: 'image.updated',
      occurred_at: EXAMPLE_IMAGE_UPDATED.occurred_at,
      organization_id: webhook.organization_id,
      webhook_id: webhook.webhook_id,
      url: webhook.url,
      secrets: webhook.secrets,
      payload: toImageUpdatedPayload(
        validateMessage(ImageUpdatedMessage, body),
      ),
      published_at: expect.any(String),
    });
    expect(Date.parse(job?.published_at ?? '')).not.toBeNaN();
  });

  it('payload keeps the documented field order', async () => {
    const jobs = await suite.driver.fanOut(exampleBody());

    expect(Object.keys(jobs[0].payload)).toEqual([
      'registry',
      'image',
      'tag',
      'ui_url',
      'digest',
      'manifests',
      'previous_digest',
      'previous_manifests',
    ]);
  });
});
