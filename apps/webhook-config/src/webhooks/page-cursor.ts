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

/** @throws FieldError when `raw` is not a cursor this API returned. */
export function decodeCursor(raw: string): PageCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const uuid =
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    if (
      typeof at === 'string' &&
      !Number.isNaN(Date.parse(at)) &&
      uuid.test(id)
    ) {
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
