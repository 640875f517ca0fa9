import { createHmac } from 'node:crypto';

/**
 * Seeded pseudo-random numbers (mulberry32), so every fuzz run sends the
 * same inputs and a failure can be replayed from its seed.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);

    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Returns an integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Keys that reach prototypes when an object is copied carelessly. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

const FIXED_STRINGS = [
  '',
  ' ',
  '\t\n',
  'all',
  'ALL',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  "' OR 1=1 --",
  '"; DROP TABLE webhook; --',
  '../../etc/passwd',
  '%FF%FE',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d\ude00',
  '\u202e\u0635\u0648\u0631\u0629',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '\u2028\u2029',
  '{"a":1}',
  '[]',
  'image.updated',
  'webhook.ping',
  'registry.quor.dev',
  'default/image',
  'http://hooks.example.com/quor',
  'https://127.0.0.1/',
  'https://localhost/',
  'https://10.0.0.1/',
  'https://169.254.169.254/latest/meta-data/',
  'https://[::1]/',
  'ftp://hooks.example.com/',
  'https://user:secret@hooks.example.com/',
  'javascript:alert(1)',
  'https://',
  'https:///path',
];

/** Returns a string chosen to break parsers, validators or the database. */
export function randomString(random: SeededRandom): string {
  switch (random.int(6)) {
    case 0:
    case 1:
      return random.pick(FIXED_STRINGS);
    case 2: {
      const length = random.int(40);
      let text = '';
      for (let index = 0; index < length; index += 1) {
        text += String.fromCharCode(random.int(0x10000));
      }

      return text;
    }
    case 3:
      return random
        .pick(['a', '\u00e9', '\ud83d\ude00', '\u0000', '%'])
        .repeat(random.pick([101, 256, 2049, 10_000]));
    case 4:
      return String(random.pick([0, -1, 1.5, 2 ** 53 + 1, 1e21, -0]));
    default: {
      const length = 1 + random.int(12);
      let text = '';
      for (let index = 0; index < length; index += 1) {
        text += String.fromCharCode(0x20 + random.int(0x5f));
      }

      return text;
    }
  }
}

/** Returns any JSON value, nested up to `depth` levels, often of the wrong type. */
export function randomJson(random: SeededRandom, depth = 3): unknown {
  const kinds = depth > 0 ? 8 : 5;
  switch (random.int(kinds)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([
        0,
        -1,
        1,
        1.5,
        100,
        101,
        -0,
        2 ** 31,
        2 ** 53 + 1,
        1e308,
        -1e308,
        5e-324,
      ]);
    case 3:
    case 4:
      return randomString(random);
    case 5:
    case 6: {
      const length = random.int(4);
      const items: unknown[] = [];
      for (let index = 0; index < length; index += 1) {
        items.push(randomJson(random, depth - 1));
      }

      return items;
    }
    default:
      return randomObject(random, depth - 1);
  }
}

/** Builds an object with random keys, some of them prototype keys. */
export function randomObject(
  random: SeededRandom,
  depth = 2,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const count = random.int(4);
  for (let index = 0; index < count; index += 1) {
    const key = random.chance(0.3)
      ? random.pick(PROTOTYPE_KEYS)
      : randomString(random).slice(0, 40);
    // defineProperty creates an own "__proto__" key, as JSON.parse does.
    Object.defineProperty(object, key, {
      value: randomJson(random, depth),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }

  return object;
}

/** Builds an object with `value` at the own key `key`, even for "__proto__". */
export function objectWithKey(
  key: string,
  value: unknown,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });

  return object;
}

/**
 * Field values that commonly break JSON APIs: null where a value is
 * optional, text that PostgreSQL cannot store, wrong types and shapes, and
 * objects with prototype keys. Every body field gets each of them.
 */
export const HARD_FIELD_VALUES: unknown[] = [
  null,
  '',
  ' ',
  'a\u0000b',
  'a\ud800b',
  '\u001b[31m',
  'x'.repeat(3_000),
  0,
  -1,
  1e308,
  '123',
  'true',
  true,
  [],
  {},
  [null],
  [123],
  [[]],
  ['image.updated', 1],
  ['image.updated', 'image.updated'],
  'all ',
  'ALL',
  ['all'],
  [{}],
  [{ registry: 'registry.quor.dev' }],
  [{ registry: 1, image: [] }],
  [{ registry: 'registry.quor.dev', image: 'default/image', extra: 1 }],
  [{ registry: 'REGISTRY', image: '../image' }],
  [objectWithKey('constructor', { prototype: { polluted: true } })],
  objectWithKey('constructor', {}),
  objectWithKey('__proto__', { polluted: true }),
  { length: 1, 0: 'image.updated' },
];

/** Returns JSON text of arrays or objects nested `depth` levels deep. */
export function deeplyNested(random: SeededRandom, depth: number): string {
  if (random.chance(0.5)) {
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  }

  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * Copies `template` with one field replaced by a random value, removed, or
 * joined by an unknown or prototype key.
 */
export function mutateObject(
  random: SeededRandom,
  template: Record<string, unknown>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...template };
  const keys = Object.keys(copy);
  switch (random.int(4)) {
    case 0:
    case 1:
      copy[random.pick(keys)] = randomJson(random);
      break;
    case 2:
      delete copy[random.pick(keys)];
      break;
    default:
      Object.defineProperty(copy, random.pick([...PROTOTYPE_KEYS, 'extra']), {
        value: randomJson(random),
        enumerable: true,
        configurable: true,
        writable: true,
      });
  }

  return copy;
}

/** Returns a random version 4 UUID drawn from `random`, so runs repeat. */
export function randomUuid(random: SeededRandom): string {
  const hex = Array.from({ length: 32 }, () => random.int(16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[random.int(4)];
  const text = hex.join('');

  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** Path segments that are not the id of anything. */
export const BAD_IDS = [
  '%FF',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2e%2e',
  '%25',
  '%zz',
  '%C0%AF',
  '%F0%9F%98%80',
  '%ED%A0%80',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'x'.repeat(5_000),
  'a'.repeat(36),
  '3f0e4a8e9d5e4f1c8f0a4b110b7c5a9e',
  '{3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e}',
  '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9g',
  '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e%00',
  '%203f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e',
  percentEncode("' OR 1=1 --"),
  percentEncode('\ud83d\ude00'),
  '__proto__',
  'constructor',
];

/** Returns a path segment that is not the id of anything. */
export function randomBadId(random: SeededRandom): string {
  return random.pick(BAD_IDS);
}

/**
 * Base64url of `value` as JSON: cursors that pass the format check and fail
 * only when decoded.
 */
export function encodedCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Query strings (without `?`) that a list operation must reject or ignore. */
export const QUERY_STRINGS = [
  'limit=-1',
  'limit=0',
  'limit=101',
  'limit=1e309',
  'limit=1.5',
  'limit=',
  'limit=abc',
  'limit=0x10',
  'limit=%FF',
  `limit=${'9'.repeat(400)}`,
  'limit=1&limit=2',
  'limit[]=1',
  'limit[a]=1',
  'cursor=',
  'cursor=garbage',
  'cursor=%FF',
  'cursor=a&cursor=b',
  `cursor=${'A'.repeat(201)}`,
  `cursor=${encodedCursor(['1', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['0000-01-01T00:00:00.000Z', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['-271821-04-20T00:00:00.000Z', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['+275760-09-13T00:00:00.000Z', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['2020-W01', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['Tue', '3f0e4a8e-9d5e-4f1c-8f0a-4b110b7c5a9e'])}`,
  `cursor=${encodedCursor(['2026-01-01T00:00:00.000Z', '00000000-0000-0000-0000-00000000000g'])}`,
  `cursor=${encodedCursor({ at: 1 })}`,
  `cursor=${encodedCursor(null)}`,
  `cursor=${encodedCursor('x')}`,
  'since=notadate',
  'since=2020',
  'since=2020-01',
  'since=2020-W01',
  'since=2020-W01-1',
  'since=2020-01-01T10Z',
  'since=2020-01-01T00:00:00,5Z',
  'since=0000-01-01T00:00:00Z',
  'since=-2020-01-01',
  'since=%2B002020-01-01',
  'since=2020-02-30T00:00:00Z',
  'until=2020-01-01T24:00:00Z',
  'until=2020-01-01T10:00:00%2B25:00',
  'since=a&since=b',
  'outcome=bogus',
  'outcome=success&outcome=timeout',
  'outcome[]=success',
  'event_type=image.deleted',
  'event_type=',
  '__proto__=x',
  '__proto__[polluted]=1',
  'constructor=x',
  'constructor[prototype][polluted]=1',
  'unknown=1',
  '%FF=1',
  'a=%FF',
  '&&&',
  '=',
  '?',
];

/**
 * Percent-encodes every UTF-8 byte of `text`. Unlike encodeURIComponent it
 * accepts lone surrogates, which Buffer encodes as U+FFFD.
 */
export function percentEncode(text: string): string {
  return Array.from(
    Buffer.from(text, 'utf8'),
    (byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
  ).join('');
}

/** Returns a query string (without `?`) that a list operation must reject or ignore. */
export function randomQuery(random: SeededRandom): string {
  const first = random.pick(QUERY_STRINGS);
  if (random.chance(0.3)) {
    return `${first}&${random.pick(QUERY_STRINGS)}`;
  }
  if (random.chance(0.1)) {
    return `${percentEncode(randomString(random).slice(0, 200))}=${percentEncode(randomString(random).slice(0, 200))}`;
  }

  return first;
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'invalid',
];

/** Signs a JWT with HMAC-SHA256 over arbitrary header and claims. */
export function signToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret: string,
): string {
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = createHmac('sha256', secret)
    .update(unsigned)
    .digest('base64url');

  return `${unsigned}.${signature}`;
}

/**
 * Returns a random JSON value whose JSON text is at most 1,000 characters.
 * NOTE: Node.js rejects request headers over 16 KB with a 431 that has no
 * body, before the application sees the request, so header values stay
 * well below that size.
 */
function boundedJson(random: SeededRandom): unknown {
  const value = randomJson(random);
  const text = JSON.stringify(value);

  return text.length <= 1_000 ? value : text.slice(0, 1_000);
}

/**
 * Returns an Authorization header value that is absent, malformed,
 * unsigned, signed with another key, expired, or has an unusual
 * organization_id claim. The guard rejects nearly all of them with 401, but
 * a random claim that happens to be a valid organization id is accepted.
 */
export function randomBadAuthorization(
  random: SeededRandom,
  secret: string,
): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  const choices: (() => string | undefined)[] = [
    () => undefined,
    () => '',
    () => 'Bearer',
    () => 'Bearer ',
    () => 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
    () => 'Bearer a.b.c',
    () => 'Bearer ....',
    () => `Bearer ${'a'.repeat(4_000)}.${'b'.repeat(2_000)}.c`,
    () => `bearer ${signToken(hs256, { organization_id: 'fuzz' }, secret)}`,
    () => `Bearer  ${signToken(hs256, { organization_id: 'fuzz' }, secret)}`,
    () =>
      `Bearer ${signToken({ alg: 'none', typ: 'JWT' }, { organization_id: 'fuzz' }, secret).replace(/[^.]+$/, '')}x`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: 'fuzz' }, 'another-key-of-at-least-32-characters!!')}`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: 'fuzz', exp: now - 10 }, secret)}`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: 'fuzz', exp: 'soon' }, secret)}`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: 'fuzz', nbf: now + 3600 }, secret)}`,
    () => `Bearer ${signToken(hs256, {}, secret)}`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: boundedJson(random) }, secret)}`,
    () => `Bearer ${signToken(hs256, { organization_id: '../other' }, secret)}`,
    () =>
      `Bearer ${signToken(hs256, { organization_id: 'o'.repeat(65) }, secret)}`,
    () => `Bearer ${signToken(hs256, { organization_id: '' }, secret)}`,
    () =>
      `Bearer ${signToken({ alg: 'HS512', typ: 'JWT' }, { organization_id: 'fuzz' }, secret)}`,
    () =>
      `Bearer ${Buffer.from('{not json').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`,
  ];

  return random.pick(choices)();
}
