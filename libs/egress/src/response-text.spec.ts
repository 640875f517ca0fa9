import { resolveEgressSettings } from './egress.options';
import {
  decodeText,
  isTextMediaType,
  looksLikeText,
  parseContentType,
} from './response-text';

describe('isTextMediaType', () => {
  it.each([
    'text/plain',
    'text/html',
    'application/json',
    'application/problem+json',
    'application/xml',
    'image/svg+xml',
    'application/x-www-form-urlencoded',
  ])('treats %s as text', (mediaType) => {
    expect(isTextMediaType(mediaType)).toBe(true);
  });

  it.each([
    'image/png',
    'application/octet-stream',
    'application/pdf',
    'application/zip',
  ])('treats %s as binary', (mediaType) => {
    expect(isTextMediaType(mediaType)).toBe(false);
  });
});

describe('parseContentType', () => {
  it('lowercases type and charset', () => {
    expect(parseContentType('Text/HTML; Charset="UTF-8"')).toEqual({
      mediaType: 'text/html',
      charset: 'utf-8',
    });
  });

  it('returns null without charset', () => {
    expect(parseContentType('application/json').charset).toBeNull();
  });
});

describe('looksLikeText', () => {
  it('accepts UTF-8 text', () => {
    expect(looksLikeText(Buffer.from('caf\u00e9\r\n\tok'), false)).toBe(true);
  });

  it('accepts a character cut by truncation', () => {
    const cut = Buffer.from('\u20ac').subarray(0, 2);

    expect(looksLikeText(cut, true)).toBe(true);
  });

  it('rejects NUL and control bytes', () => {
    expect(looksLikeText(Buffer.from([0x61, 0x00]), false)).toBe(false);
    expect(looksLikeText(Buffer.from([0x61, 0x07]), false)).toBe(false);
  });

  it('rejects invalid UTF-8', () => {
    expect(looksLikeText(Buffer.from([0x61, 0xff]), false)).toBe(false);
  });
});

describe('decodeText', () => {
  it('marks a cut character at the end of a full body', () => {
    const cut = Buffer.from('a\u20ac').subarray(0, 3);

    expect(decodeText(cut, null, false)).toBe('a\uFFFD');
  });

  it('falls back to UTF-8 for an unknown charset', () => {
    expect(decodeText(Buffer.from('\u00e9'), 'x-unknown', false)).toBe(
      '\u00e9',
    );
  });
});

describe('resolveEgressSettings', () => {
  const base = { allowLoopback: false, userAgent: 'QuorWebhooks/1.0' };

  it('fills the defaults', () => {
    const settings = resolveEgressSettings(base);

    expect(settings.responseTimeoutMs).toBe(5000);
    expect(settings.hardDeadlineMs).toBe(10000);
    expect(settings.maxBodyBytes).toBe(10240);
  });

  it('rejects a deadline below the timeout', () => {
    expect(() =>
      resolveEgressSettings({
        ...base,
        responseTimeoutMs: 5000,
        hardDeadlineMs: 1000,
      }),
    ).toThrow(RangeError);
  });

  it('rejects a zero body cap', () => {
    expect(() => resolveEgressSettings({ ...base, maxBodyBytes: 0 })).toThrow(
      'maxBodyBytes must be a positive integer',
    );
  });
});
