import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import { errorBody } from './http-exception.filter';

/** Messages for the errors body-parser raises, by its error type. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON; send a JSON object',
  'entity.too.large': 'request body is too large; send at most 64 KB',
  'encoding.unsupported':
    'request body encoding is not supported; send UTF-8 JSON',
  'charset.unsupported':
    'request body charset is not supported; send UTF-8 JSON',
  'request.aborted': 'request was aborted by the client',
  'request.size.invalid': 'request body length does not match Content-Length',
};

/**
 * Deepest nesting of arrays and objects a body may have. The API's own
 * bodies nest 3 levels. ValidationPipe of @nestjs/common 11 walks bodies
 * recursively (stripProtoKeys), so a body nested thousands of levels deep
 * would overflow the stack and fail with a 500.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Keys that class-transformer drops before validation, so the check for
 * unknown fields never gets them. A body that uses them is rejected here.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Finds what makes a body unacceptable before validation: nesting deeper
 * than `maxDepth`, or a forbidden key. Returns the message, or null.
 */
function findBodyProblem(value: unknown, maxDepth: number): string | null {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    if (item.value === null || typeof item.value !== 'object') {
      continue;
    }
    if (item.depth >= maxDepth) {
      return `request body nests arrays or objects more than ${maxDepth} levels deep; send a flatter JSON object`;
    }
    for (const [key, child] of Object.entries(item.value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        return `request body contains the field ${key}, which is not allowed; remove it`;
      }
      pending.push({ value: child, depth: item.depth + 1 });
    }
  }

  return null;
}

/**
 * Parses every request body as JSON up to `limit` and rejects a body that
 * cannot be read, nests deeper than MAX_BODY_DEPTH or uses a forbidden key,
 * with a 4xx in
 * the API's error shape. Nest would otherwise pass the parser's own
 * message through.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({ limit, strict: true, type: () => true });

  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (error?: unknown) => {
      const problem = error
        ? null
        : findBodyProblem(request.body, MAX_BODY_DEPTH);
      if (problem) {
        response.status(400).json(errorBody(400, problem));
        return;
      }
      if (!error) {
        next();
        return;
      }
      const { type, status } = error as { type?: string; status?: number };
      const statusCode =
        typeof status === 'number' && status >= 400 && status < 500
          ? status
          : 400;
      const message =
        (type && BODY_PARSER_MESSAGES[type]) ??
        'request body could not be read';
      response.status(statusCode).json(errorBody(statusCode, message));
    });
  };
}
