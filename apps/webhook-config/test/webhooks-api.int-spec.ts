import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import {
  ConfigTestApp,
  TEST_JWT_SECRET,
  validWebhook,
} from './config-test-app';

const REGISTRY = 'registry.quor.dev';

describe('webhooks API', () => {
  const harness = new ConfigTestApp();
  let organizationCounter = 0;
  const newOrganization = () =>
    `org-${Date.now().toString(36)}-${++organizationCounter}`;

  beforeAll(async () => {
    await harness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  async function enterprise(): Promise<string> {
    const organization = newOrganization();
    await harness.setPlan(organization, 'enterprise');

    return organization;
  }

  describe('authentication', () => {
    it.each([
      ['missing header', {}],
      ['not bearer', { authorization: 'Basic abc' }],
      ['malformed token', { authorization: 'Bearer not-a-jwt' }],
    ])('rejects %s with 401', async (_, headers) => {
      const response = await harness.request('GET', '/v1/webhooks', {
        headers,
      });
      expect(response.status).toBe(401);
    });

    it('rejects an expired token', async () => {
      const token = harness.token('acme', { expiresIn: '-1s' });
      const response = await harness.request('GET', '/v1/webhooks', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
      expect(response.body.message).toContain('expired');
    });

    it('accepts the scheme in lowercase', async () => {
      const response = await harness.request('GET', '/v1/webhooks', {
        headers: { authorization: `bearer ${harness.token('acme')}` },
      });
      expect(response.status).toBe(200);
    });

    it('rejects a token without exp', async () => {
      const token = new JwtService({ secret: TEST_JWT_SECRET }).sign({
        organization_id: 'acme',
      });
      const response = await harness.request('GET', '/v1/webhooks', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
      expect(response.body.message).toContain('exp');
    });

    it('rejects a token signed with another key', async () => {
      const token = harness.token('acme', {
        secret: 'another-key-of-at-least-32-characters!!',
      });
      const response = await harness.request('GET', '/v1/webhooks', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
    });
  });

  describe('create', () => {
    it('returns the webhook with its secret', async () => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ name: '  Deploy hook  ' }),
      });
      expect(response.status).toBe(201);
      expect(response.body.name).toBe('Deploy hook');
      expect(response.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      expect(response.body.images).toBe('all');
      expect(response.body.enabled).toBe(true);
    });

    it('never shows the secret again', async () => {
      const organization = await enterprise();
      const created = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const fetched = await harness.request(
        'GET',
        `/v1/webhooks/${created.body.id}`,
        { organization },
      );
      expect(fetched.status).toBe(200);
      expect(fetched.body.secret).toBeUndefined();
    });

    it.each([
      ['plain HTTP', 'http://hooks.example.com/quor'],
      ['FTP', 'ftp://hooks.example.com/quor'],
      ['credentials', 'https://user:secret@hooks.example.com/'],
      ['fragment', 'https://hooks.example.com/quor#x'],
      ['loopback literal', 'https://127.0.0.1/'],
      ['localhost', 'https://localhost:8443/'],
      ['private literal', 'https://10.1.2.3/'],
      ['metadata address', 'https://169.254.169.254/latest/meta-data/'],
      ['decimal loopback', 'https://2130706433/'],
      ['hex loopback', 'https://0x7f000001/'],
      ['IPv6 loopback', 'https://[::1]/'],
      ['IPv4-mapped private', 'https://[::ffff:10.0.0.1]/'],
      ['too long', `https://hooks.example.com/${'a'.repeat(2100)}`],
      ['not a URL', 'hooks'],
    ])('rejects a URL with %s', async (_, url) => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ url }),
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^url/);
    });

    it.each([
      ['empty name', { name: '   ' }, 'name'],
      ['long name', { name: 'n'.repeat(101) }, 'name'],
      ['no event types', { event_types: [] }, 'event_types'],
      ['unknown event type', { event_types: ['image.deleted'] }, 'event_types'],
      [
        'duplicate event types',
        { event_types: ['image.updated', 'image.updated'] },
        'event_types',
      ],
      ['images not a list', { images: 'some' }, 'images'],
      ['empty images', { images: [] }, 'images'],
      ['enabled not boolean', { enabled: 'yes' }, 'enabled'],
      ['unknown field', { colour: 'blue' }, 'colour'],
    ])('rejects %s naming the field', async (_, override, field) => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(override),
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(field);
    });

    it('rejects an image the organization does not subscribe to', async () => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({
          images: [{ registry: REGISTRY, image: 'other/image' }],
        }),
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('registry.quor.dev/other/image');
    });

    it('accepts a subscribed image', async () => {
      const organization = await enterprise();
      await harness.subscribe(organization, REGISTRY, 'default/image');
      const images = [{ registry: REGISTRY, image: 'default/image' }];
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ images }),
      });
      expect(response.status).toBe(201);
      expect(response.body.images).toEqual(images);
    });

    it.each(['__proto__', 'constructor'])(
      'rejects a body with the key %s',
      async (key) => {
        const organization = await enterprise();
        const response = await harness.request('POST', '/v1/webhooks', {
          organization,
          rawBody: JSON.stringify(validWebhook()).replace(
            '{',
            `{"${key}":{"x":1},`,
          ),
        });
        expect(response.status).toBe(400);
        expect(response.body.message).toContain(key);
      },
    );

    it.each([
      ['https:hooks.example.com', 'https://hooks.example.com/'],
      ['HTTPS://HOOKS.EXAMPLE.COM/Path', 'https://hooks.example.com/Path'],
      [
        'https://hooks.example.com\\@127.0.0.1/',
        'https://hooks.example.com/@127.0.0.1/',
      ],
    ])('stores %s in normalized form', async (url, stored) => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ url }),
      });
      expect(response.status).toBe(201);
      expect(response.body.url).toBe(stored);
    });

    it.each(['https://a..b.example/', 'https://-a.example/'])(
      'rejects the host name of %s',
      async (url) => {
        const organization = await enterprise();
        const response = await harness.request('POST', '/v1/webhooks', {
          organization,
          body: validWebhook({ url }),
        });
        expect(response.status).toBe(400);
        expect(response.body.message).toMatch(/^url/);
      },
    );

    it('rejects a body that is not JSON', async () => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        rawBody: '{bad',
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('not valid JSON');
    });

    it('rejects an oversize body with 413', async () => {
      const organization = await enterprise();
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ name: 'x'.repeat(70_000) }),
      });
      expect(response.status).toBe(413);
    });
  });

  describe('plan limits', () => {
    it('rejects any webhook on the Free plan', async () => {
      const organization = newOrganization();
      await harness.setPlan(organization, 'free');
      const response = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      expect(response.status).toBe(403);
      expect(response.body.message).toContain(
        'the Free plan allows 0 enabled webhooks',
      );
    });

    it('allows one webhook on the Trial plan', async () => {
      const organization = newOrganization();
      await harness.setPlan(organization, 'trial', new Date());
      const first = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const second = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      expect(first.status).toBe(201);
      expect(second.status).toBe(403);
      expect(second.body.message).toContain(
        'the Trial plan allows 1 enabled webhook',
      );
    });

    it('holds under 20 concurrent creates', async () => {
      const organization = newOrganization();
      await harness.setPlan(organization, 'trial', new Date());
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          harness.request('POST', '/v1/webhooks', {
            organization,
            body: validWebhook(),
          }),
        ),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 403)).toHaveLength(19);
      const [{ count }] = await harness.dataSource.query(
        'SELECT count(*)::int AS count FROM webhook WHERE organization_id = $1',
        [organization],
      );
      expect(count).toBe(1);
    });

    it('rejects enabling past the limit', async () => {
      const organization = newOrganization();
      await harness.setPlan(organization, 'trial', new Date());
      const enabled = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const disabled = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook({ enabled: false }),
      });
      expect(enabled.status).toBe(201);
      expect(disabled.status).toBe(201);
      const response = await harness.request(
        'POST',
        `/v1/webhooks/${disabled.body.id}/enable`,
        { organization },
      );
      expect(response.status).toBe(403);
      expect(response.body.message).toContain('Trial plan allows 1');
    });

    it('disables the newest beyond a lowered limit', async () => {
      const organization = await enterprise();
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        const created = await harness.request('POST', '/v1/webhooks', {
          organization,
          body: validWebhook(),
        });
        ids.push(created.body.id as string);
      }
      await harness.setPlan(organization, 'trial', new Date());
      const list = await harness.request('GET', '/v1/webhooks', {
        organization,
      });
      const byId = new Map(
        list.body.data?.map((webhook) => [webhook.id, webhook]),
      );
      expect(byId.size).toBe(3);
      expect(byId.get(ids[0])?.enabled).toBe(true);
      expect(byId.get(ids[1])?.enabled).toBe(false);
      expect(byId.get(ids[2])?.enabled).toBe(false);
      expect(byId.get(ids[2])?.disabled_reason).toContain(
        'Trial plan allows 1',
      );
    });

    it('disables every webhook when a trial ends', async () => {
      const organization = newOrganization();
      const started = new Date(Date.now() - 13 * 24 * 3600 * 1000);
      await harness.setPlan(organization, 'trial', started);
      const created = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      expect(created.status).toBe(201);

      const organizations = harness.app.get(
        (await import('../src/organizations/organizations.service'))
          .OrganizationsService,
      );
      const afterTrial = new Date(
        started.getTime() + 14 * 24 * 3600 * 1000 + 1000,
      );
      await organizations.enforceExpiredTrials(afterTrial);

      const fetched = await harness.request(
        'GET',
        `/v1/webhooks/${created.body.id}`,
        { organization },
      );
      expect(fetched.body.enabled).toBe(false);
      expect(fetched.body.disabled_reason).toContain('Trial plan ended');
    });

    it('reports the plan and its use', async () => {
      const organization = newOrganization();
      await harness.setPlan(organization, 'trial', new Date());
      await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const response = await harness.request('GET', '/v1/plan', {
        organization,
      });
      expect(response.body).toMatchObject({
        plan: 'trial',
        webhook_limit: 1,
        webhooks_enabled: 1,
      });
    });
  });

  describe('organization isolation', () => {
    it('answers 404 for another organization webhook', async () => {
      const owner = await enterprise();
      const intruder = await enterprise();
      const created = await harness.request('POST', '/v1/webhooks', {
        organization: owner,
        body: validWebhook(),
      });
      const id = created.body.id as string;
      const attempts = [
        harness.request('GET', `/v1/webhooks/${id}`, {
          organization: intruder,
        }),
        harness.request('PATCH', `/v1/webhooks/${id}`, {
          organization: intruder,
          body: { name: 'mine' },
        }),
        harness.request('POST', `/v1/webhooks/${id}/disable`, {
          organization: intruder,
        }),
        harness.request('DELETE', `/v1/webhooks/${id}`, {
          organization: intruder,
        }),
        harness.request('GET', `/v1/webhooks/${id}/deliveries`, {
          organization: intruder,
        }),
      ];
      const missing = await harness.request(
        'GET',
        `/v1/webhooks/${randomUUID()}`,
        { organization: intruder },
      );
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(404);
        expect(response.body.message).toBe(
          String(missing.body.message).replace(/[0-9a-f-]{36}/, id),
        );
      }
      const still = await harness.request('GET', `/v1/webhooks/${id}`, {
        organization: owner,
      });
      expect(still.body.name).toBe('Deploy hook');
      expect(still.body.enabled).toBe(true);
    });

    it('lists only the own organization webhooks', async () => {
      const first = await enterprise();
      const second = await enterprise();
      await harness.request('POST', '/v1/webhooks', {
        organization: first,
        body: validWebhook(),
      });
      const list = await harness.request('GET', '/v1/webhooks', {
        organization: second,
      });
      expect(list.body.data).toEqual([]);
    });
  });

  describe('operations', () => {
    it('pages through the list in creation order', async () => {
      const organization = await enterprise();
      const created: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const response = await harness.request('POST', '/v1/webhooks', {
          organization,
          body: validWebhook({ name: `hook ${index}` }),
        });
        created.push(response.body.id as string);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const response = await harness.request('GET', `/v1/webhooks${query}`, {
          organization,
        });
        seen.push(
          ...(response.body.data ?? []).map((webhook) => webhook.id as string),
        );
        cursor = response.body.next_cursor as string | null;
        if (!cursor) {
          break;
        }
      }
      expect(seen).toEqual(created);
    });

    it('updates only the fields sent', async () => {
      const organization = await enterprise();
      const created = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const response = await harness.request(
        'PATCH',
        `/v1/webhooks/${created.body.id}`,
        {
          organization,
          body: { name: 'Renamed' },
        },
      );
      expect(response.status).toBe(200);
      expect(response.body.name).toBe('Renamed');
      expect(response.body.url).toBe('https://hooks.example.com/quor');
    });

    it('normalizes an updated URL', async () => {
      const organization = await enterprise();
      const created = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const response = await harness.request(
        'PATCH',
        `/v1/webhooks/${created.body.id}`,
        { organization, body: { url: 'https:HOOKS.example.com/new' } },
      );
      expect(response.status).toBe(200);
      expect(response.body.url).toBe('https://hooks.example.com/new');
    });

    it('disables, enables and deletes', async () => {
      const organization = await enterprise();
      const created = await harness.request('POST', '/v1/webhooks', {
        organization,
        body: validWebhook(),
      });
      const path = `/v1/webhooks/${created.body.id}`;
      expect(
        (await harness.request('POST', `${path}/disable`, { organization }))
          .body.enabled,
      ).toBe(false);
      expect(
        (await harness.request('POST', `${path}/enable`, { organization })).body
          .enabled,
      ).toBe(true);
      expect(
        (await harness.request('DELETE', path, { organization })).status,
      ).toBe(204);
      expect(
        (await harness.request('GET', path, { organization })).status,
      ).toBe(404);
    });

    it('rejects a malformed id with 400', async () => {
      const organization = await enterprise();
      const response = await harness.request('GET', '/v1/webhooks/not-a-uuid', {
        organization,
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('webhookId');
    });

    it('rejects a forged cursor with 400', async () => {
      const organization = await enterprise();
      const response = await harness.request('GET', '/v1/webhooks?cursor=abc', {
        organization,
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('cursor');
    });

    it('lists subscribed images', async () => {
      const organization = await enterprise();
      await harness.subscribe(organization, REGISTRY, 'team/api');
      const response = await harness.request('GET', '/v1/subscriptions', {
        organization,
      });
      expect(response.body.data).toEqual([
        { registry: REGISTRY, image: 'team/api' },
      ]);
    });
  });
});
