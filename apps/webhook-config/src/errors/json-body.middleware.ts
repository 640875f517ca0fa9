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
 * Parses every request body as JSON up to `limit` and answers a body that
 * cannot be read with a 4xx in the API's error shape. Nest would otherwise
 * pass the parser's own message through.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = json({ limit, strict: true, type: () => true });

  return (request: Request, response: Response, next: NextFunction) => {
    parse(request, response, (error?: unknown) => {
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
