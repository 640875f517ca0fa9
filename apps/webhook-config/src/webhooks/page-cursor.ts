import { FieldError } from '../errors/domain.errors';

/** Position after the last item of a page: its sort key and id. */
export interface PageCursor {
  at: string;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString(
    'base64url',
  );
}

/**
 * True for a time as encodeCursor writes it: Date.toISOString() output
 * from year 0001 to 9999. Date.parse accepts more, such as "1" or year
 * -271821, which PostgreSQL rejects.
 */
function isCursorTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

/** @throws FieldError when `raw` is not a cursor this API returned. */
export function decodeCursor(raw: string): PageCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const uuid =
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    if (isCursorTime(at) && uuid.test(id)) {
      return { at, id };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new FieldError(
    'cursor',
    'must be the next_cursor value of the previous page',
  );
}
