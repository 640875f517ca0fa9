import { IncomingMessage } from 'node:http';
import { RecordedResponse } from '@quor/contracts';
import {
  decodeText,
  isTextMediaType,
  looksLikeText,
  parseContentType,
} from './response-text';

/**
 * Collects response headers from `rawHeaders`: names lowercased, values as
 * received, and a repeated header as an array in arrival order.
 */
export function collectHeaders(
  rawHeaders: string[],
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};

  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    const existing = headers[name];

    if (existing === undefined) {
      headers[name] = value;
    } else if (Array.isArray(existing)) {
      existing.push(value);
    } else {
      headers[name] = [existing, value];
    }
  }

  return headers;
}

function firstHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) {
    return null;
  }

  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/**
 * Builds the stored record of a response from its headers and the body
 * bytes read. A body is stored as text only when its content type is a
 * text type, or is missing and the bytes look like text. A body with a
 * `content-encoding` other than identity is stored as null, because it is
 * never decompressed.
 */
export function buildRecordedResponse(
  response: IncomingMessage,
  bodyBytes: Buffer,
  bytesSeen: number,
  truncated: boolean,
): RecordedResponse {
  const headers = collectHeaders(response.rawHeaders);
  const contentType = firstHeader(headers['content-type']);
  const encoding = firstHeader(headers['content-encoding'])
    ?.trim()
    .toLowerCase();
  const isEncoded =
    encoding !== undefined && encoding !== '' && encoding !== 'identity';

  let body: string | null = null;
  if (!isEncoded) {
    body = decodeIfText(contentType, bodyBytes, truncated);
  }

  return {
    status: response.statusCode ?? 0,
    headers,
    content_type: contentType,
    body,
    body_truncated: truncated,
    body_bytes_seen: bytesSeen,
  };
}

function decodeIfText(
  contentType: string | null,
  bytes: Buffer,
  truncated: boolean,
): string | null {
  if (contentType === null) {
    return looksLikeText(bytes, truncated)
      ? decodeText(bytes, 'utf-8', truncated)
      : null;
  }

  const { mediaType, charset } = parseContentType(contentType);
  if (!isTextMediaType(mediaType)) {
    return null;
  }

  return decodeText(bytes, charset, truncated);
}
