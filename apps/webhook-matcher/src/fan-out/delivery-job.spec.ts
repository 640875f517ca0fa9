import { validateMessage, DeliveryJobMessage } from '@quor/contracts';
import {
  buildDeliveryJob,
  DeliveryJobEncoder,
  deliveryIdFor,
  firstAttemptIdFor,
  jobFieldsJson,
  uuidV5,
} from './delivery-job';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it('matches the RFC 9562 example', () => {
    // RFC 9562, appendix A.4: "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('matches Python uuid5 in URL namespace', () => {
    expect(uuidV5('https://quor.dev/', URL_NAMESPACE)).toBe(
      'ea78e218-f1a5-5e62-9517-6cca63bcf48d',
    );
  });

  it('rejects namespace that is not a UUID', () => {
    expect(() => uuidV5('name', 'not-a-uuid')).toThrow(
      'namespace not-a-uuid is not a UUID',
    );
  });
});

describe('delivery ids', () => {
  const eventId = '0b7c5a9e-3f0e-4a8e-9d5e-2f1c7f0a4b11';
  const webhookId = '9f6d8c1e-2b4a-4c3d-8e5f-6a7b8c9d0e1f';

  it('gives the same delivery id every time', () => {
    expect(deliveryIdFor(eventId, webhookId)).toBe(
      deliveryIdFor(eventId, webhookId),
    );
  });

  it('gives another webhook another delivery id', () => {
    const otherWebhook = '1f6d8c1e-2b4a-4c3d-8e5f-6a7b8c9d0e1f';

    expect(deliveryIdFor(eventId, otherWebhook)).not.toBe(
      deliveryIdFor(eventId, webhookId),
    );
  });

  it('keeps attempt id apart from delivery id', () => {
    expect(firstAttemptIdFor(eventId, webhookId)).not.toBe(
      deliveryIdFor(eventId, webhookId),
    );
  });

  it('builds a job that passes the contract', () => {
    const job = buildDeliveryJob(
      {
        event_id: eventId,
        occurred_at: '2026-12-03T10:15:00Z',
        payload: {
          registry: 'registry.quor.dev',
          image: 'default/image',
          tag: '1.2-alpine',
          ui_url: 'https://app.quor.dev/images/123/default/image/details',
          digest: `sha256:${'a'.repeat(64)}`,
          manifests: [],
          previous_digest: null,
          previous_manifests: [],
        },
      },
      {
        webhook_id: webhookId,
        organization_id: 'org-1',
        url: 'https://hooks.example.com/quor',
        secrets: ['whsec_dGVzdA=='],
      },
      '2026-12-03T10:15:01.000Z',
    );

    expect(() => validateMessage(DeliveryJobMessage, job)).not.toThrow();
    expect(job.delivery_id).toBe(deliveryIdFor(eventId, webhookId));
  });
});

describe('DeliveryJobEncoder', () => {
  const event = {
    event_id: 'evt-\u00e9v\u00e9nement "quoted"',
    occurred_at: '2026-12-03T10:15:00Z',
    payload: {
      registry: 'registry.quor.dev',
      image: 'default/image',
      tag: '1.2-alpine',
      ui_url: 'https://app.quor.dev/images/123/default/image/details',
      digest: `sha256:${'b'.repeat(64)}`,
      manifests: [],
      previous_digest: null,
      previous_manifests: [],
    },
  };
  const webhook = {
    webhook_id: '9f6d8c1e-2b4a-4c3d-8e5f-6a7b8c9d0e1f',
    organization_id: 'org-2',
    url: 'https://hooks.example.com/quor?a=1&b="x"\u2028',
    secrets: ['whsec_bmV3', 'whsec_b2xk'],
  };
  const target = {
    webhook_id: webhook.webhook_id,
    fields: jobFieldsJson(webhook),
  };
  const publishedAt = '2026-12-03T10:15:01.000Z';

  it('encodes the bytes of JSON.stringify', () => {
    const { body } = new DeliveryJobEncoder(event, publishedAt).encode(target);

    expect(body.toString('utf8')).toBe(
      JSON.stringify(buildDeliveryJob(event, webhook, publishedAt)),
    );
  });

  it("returns the body's delivery id", () => {
    const { deliveryId, body } = new DeliveryJobEncoder(
      event,
      publishedAt,
    ).encode(target);

    expect(JSON.parse(body.toString('utf8')).delivery_id).toBe(deliveryId);
    expect(deliveryId).toBe(deliveryIdFor(event.event_id, target.webhook_id));
  });
});
