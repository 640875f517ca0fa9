import { Client } from 'pg';

export interface SeedOptions {
  /** Organizations to create, each with one enterprise plan and webhook. */
  count: number;
  registry: string;
  image: string;
  /** Prefix of the organization ids, which end with 1..count. */
  organizationPrefix: string;
}

/**
 * Writes `count` enterprise organizations straight into the read model,
 * each subscribed to the image with one enabled webhook. Even-numbered
 * webhooks select all images, odd-numbered ones select the image itself,
 * so both matching paths are exercised. URLs point at a closed loopback
 * port.
 */
export async function seedSubscribedWebhooks(
  db: Client,
  options: SeedOptions,
): Promise<void> {
  const { count, registry, image, organizationPrefix } = options;

  await db.query('BEGIN');
  try {
    await db.query(
      `INSERT INTO organization_plan (organization_id, plan, changed_at)
       SELECT $1 || n, 'enterprise', now() FROM generate_series(1, $2) AS n`,
      [organizationPrefix, count],
    );
    await db.query(
      `INSERT INTO subscription (organization_id, registry, image, subscribed,
         changed_at)
       SELECT $1 || n, $3, $4, true, now() FROM generate_series(1, $2) AS n`,
      [organizationPrefix, count, registry, image],
    );
    await db.query(
      `INSERT INTO webhook (id, organization_id, url, secrets, event_types,
         all_images, enabled, deleted, version, changed_at)
       SELECT gen_random_uuid(), $1 || n,
         'https://127.0.0.1:9/hooks/' || $1 || n,
         ARRAY['whsec_c2VlZGVkLXNpZ25pbmctc2VjcmV0LWZvci1iZW5jaG1hcms='],
         ARRAY['image.updated'], n % 2 = 0, true, false, 1, now()
       FROM generate_series(1, $2) AS n`,
      [organizationPrefix, count],
    );
    await db.query(
      `INSERT INTO webhook_image (webhook_id, registry, image)
       SELECT id, $2, $3 FROM webhook
       WHERE NOT all_images AND starts_with(organization_id, $1)`,
      [organizationPrefix, registry, image],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }

  await db.query('ANALYZE');
}
