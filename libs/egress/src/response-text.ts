import { TextDecoder } from 'node:util';

/**
 * Media types stored as text, besides every `text/*` type and the
 * `application/*+json` and `*+xml` structured syntax suffixes.
 */
const TEXT_MEDIA_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/x-www-form-urlencoded',
]);

export interface ParsedContentType {
  mediaType: string;
  charset: string | null;
}

/** Parses a `content-type` value into a lowercase media type and charset. */
export function parseContentType(value: string): ParsedContentType {
  const [type = '', ...parameters] = value.split(';');
  let charset: string | null = null;

  for (const parameter of parameters) {
    const [name = '', rawValue = ''] = parameter.split('=', 2);
    if (name.trim().toLowerCase() === 'charset') {
      charset = rawValue
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }

  return { mediaType: type.trim().toLowerCase(), charset };
}

export function isTextMediaType(mediaType: string): boolean {
  if (mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType)) {
    return true;
  }

  if (mediaType.startsWith('application/') && mediaType.endsWith('+json')) {
    return true;
  }

  return mediaType.endsWith('+xml');
}

/**
 * Reports whether bytes of unknown type look like UTF-8 text: valid UTF-8,
 * except for a character cut at the end when `truncated`, and no control
 * characters other than tab, line feed, vertical tab, form feed, carriage
 * return and escape.
 */
export function looksLikeText(bytes: Buffer, truncated: boolean): boolean {
  for (const byte of bytes) {
    const isAllowedControl = (byte >= 0x09 && byte <= 0x0d) || byte === 0x1b;
    if (byte < 0x20 && !isAllowedControl) {
      return false;
    }
  }

  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, {
      stream: truncated,
    });
  } catch {
    return false;
  }

  return true;
}

/**
 * Decodes stored body bytes for a text column. Invalid sequences become
 * U+FFFD. When `truncated`, a multi-byte character cut at the end is
 * dropped rather than split. NUL becomes U+FFFD because PostgreSQL text
 * cannot store it. An unknown `charset` falls back to UTF-8.
 */
export function decodeText(
  bytes: Buffer,
  charset: string | null,
  truncated: boolean,
): string {
  const text = createDecoder(charset).decode(bytes, { stream: truncated });

  return text.replaceAll('\u0000', '\uFFFD');
}

function createDecoder(charset: string | null): TextDecoder {
  if (charset) {
    try {
      return new TextDecoder(charset);
    } catch {
      // An unknown label raises RangeError, and UTF-8 is the fallback.
    }
  }

  return new TextDecoder('utf-8');
}
