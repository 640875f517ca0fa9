import {
  DELIVERY_KINDS,
  DELIVERY_OUTCOMES,
  DeliveryRecordMessage,
  InvalidMessageError,
  isDeliveryEventType,
  ORGANIZATION_ID_PATTERN,
} from '@quor/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the fields of a delivery record that the database and the API rely
 * on.
 *
 * @throws InvalidMessageError naming the first invalid field.
 */
export function parseDeliveryRecord(body: Buffer): DeliveryRecordMessage {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidMessageError(
      'body is not valid JSON; publish a delivery record object',
    );
  }
  if (!isObject(record)) {
    throw new InvalidMessageError(
      'body is not a JSON object; publish a delivery record object',
    );
  }

  const checks: [string, boolean][] = [
    ['attempt_id', UUID.test(String(record.attempt_id))],
    ['delivery_id', UUID.test(String(record.delivery_id))],
    ['webhook_id', UUID.test(String(record.webhook_id))],
    [
      'organization_id',
      ORGANIZATION_ID_PATTERN.test(String(record.organization_id)),
    ],
    ['kind', (DELIVERY_KINDS as readonly unknown[]).includes(record.kind)],
    [
      'redelivery_of',
      record.redelivery_of === null || UUID.test(String(record.redelivery_of)),
    ],
    [
      'event_id',
      typeof record.event_id === 'string' && record.event_id.length > 0,
    ],
    ['event_type', isDeliveryEventType(record.event_type)],
    ['occurred_at', isIsoDate(record.occurred_at)],
    [
      'outcome',
      (DELIVERY_OUTCOMES as readonly unknown[]).includes(record.outcome),
    ],
    [
      'request',
      isObject(record.request) && typeof record.request.body === 'string',
    ],
    ['response', record.response === null || isObject(record.response)],
    [
      'timings',
      isObject(record.timings) && typeof record.timings.total_ms === 'number',
    ],
    ['started_at', isIsoDate(record.started_at)],
    ['completed_at', isIsoDate(record.completed_at)],
  ];
  const invalid = checks.find(([, valid]) => !valid);
  if (invalid) {
    throw new InvalidMessageError(
      `${invalid[0]} is missing or invalid in the delivery record`,
    );
  }

  return record as unknown as DeliveryRecordMessage;
}

/**
 * Replaces what PostgreSQL text and jsonb cannot hold (NUL and unpaired
 * UTF-16 surrogates) with U+FFFD in every string of `value`.
 */
export function sanitizeForPostgres<T>(value: T): T {
  if (typeof value === 'string') {
    return value.toWellFormed().replaceAll('\u0000', '\uFFFD') as T;
  }
  if (Array.isArray(value)) {
    return value.map((item) => sanitizeForPostgres(item)) as T;
  }
  if (isObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[sanitizeForPostgres(key)] = sanitizeForPostgres(item);
    }

    return copy as T;
  }

  return value;
}
