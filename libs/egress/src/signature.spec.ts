import { Webhook } from 'standardwebhooks';
import {
  buildDeliveryHeaders,
  generateWebhookSecret,
  signWebhook,
} from './signature';

const KNOWN_DIGEST = 'O4Gjv1HqPqsMrjmczoggs/sWA8gZD0VyHG+fLh4+ktI=';

const body = JSON.stringify({ type: 'image.updated', data: { tag: 'v1.2.3' } });

function receiverHeaders(id: string, timestamp: number, signature: string) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

describe('signWebhook', () => {
  it('verifies with standardwebhooks', () => {
    const secret = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook({
      id: 'msg_1',
      timestamp,
      body,
      secrets: [secret],
    });

    const verified = new Webhook(secret).verify(
      body,
      receiverHeaders('msg_1', timestamp, signature),
    );

    expect(verified).toEqual(JSON.parse(body));
  });

  it('signs once per secret', () => {
    const newest = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook({
      id: 'msg_2',
      timestamp,
      body,
      secrets: [newest, previous],
    });
    const headers = receiverHeaders('msg_2', timestamp, signature);

    expect(signature.split(' ')).toHaveLength(2);
    expect(() => new Webhook(newest).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
  });

  it('fails verification for a changed body', () => {
    const secret = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signWebhook({
      id: 'msg_3',
      timestamp,
      body,
      secrets: [secret],
    });

    expect(() =>
      new Webhook(secret).verify(
        `${body} `,
        receiverHeaders('msg_3', timestamp, signature),
      ),
    ).toThrow();
  });

  it('matches a known vector', () => {
    // Key bytes 0x00..0x1f. The digest comes from OpenSSL 3:
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:0001...1f -binary | base64
    const secret = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64')}`;

    const signature = signWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: [secret],
    });

    expect(signature).toBe(`v1,${KNOWN_DIGEST}`);
  });

  it('signs correctly after key cache eviction', () => {
    const secret = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64')}`;
    const input = {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    };
    signWebhook({ ...input, secrets: [secret] });

    // More secrets than the key cache keeps push the first one out.
    for (let index = 0; index < 10_001; index += 1) {
      signWebhook({
        ...input,
        secrets: [`whsec_${Buffer.from(`key-${index}`).toString('base64')}`],
      });
    }

    expect(signWebhook({ ...input, secrets: [secret] })).toBe(
      `v1,${KNOWN_DIGEST}`,
    );
  });

  it('rejects a secret without prefix', () => {
    expect(() =>
      signWebhook({ id: 'msg_4', timestamp: 1, body, secrets: ['c2VjcmV0'] }),
    ).toThrow('whsec_');
  });
});

describe('generateWebhookSecret', () => {
  it('encodes 32 random bytes', () => {
    const secret = generateWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('buildDeliveryHeaders', () => {
  it('builds verifiable delivery headers', () => {
    const secret = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);

    const headers = buildDeliveryHeaders({
      deliveryId: 'b3f0c7e4-8d1a-4d0e-9b7a-3c2f1e0d9a8b',
      attemptId: '0d4c9b8a-7f6e-4d5c-8b4a-392817160504',
      eventId: 'evt_42',
      eventType: 'image.updated',
      occurredAt: '2025-01-02T03:04:05.000Z',
      timestamp,
      body,
      secrets: [secret],
      userAgent: 'QuorWebhooks/1.0',
    });

    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('QuorWebhooks/1.0');
    expect(headers['webhook-id']).toBe('b3f0c7e4-8d1a-4d0e-9b7a-3c2f1e0d9a8b');
    expect(headers['webhook-timestamp']).toBe(String(timestamp));
    expect(headers['quor-event-type']).toBe('image.updated');
    expect(headers['quor-event-id']).toBe('evt_42');
    expect(headers['quor-event-occurred-at']).toBe('2025-01-02T03:04:05.000Z');
    expect(headers['quor-attempt-id']).toBe(
      '0d4c9b8a-7f6e-4d5c-8b4a-392817160504',
    );
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });
});
