import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyResponse } from './error-body.response';

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 413 | 429 | 503;

const DEFAULT_DESCRIPTIONS: Record<ApiErrorStatus, string> = {
  400: 'A path id, query parameter or body field is invalid, or the body is not JSON. The message names the field.',
  401: 'The bearer token is missing, malformed, expired, signed with another key or has no valid organization_id claim.',
  403: 'The plan of the organization does not allow this request.',
  404: 'No such webhook in the organization of the token.',
  413: 'The request body is larger than 64 KB, the body limit of the API.',
  429: 'The organization sent OUTBOUND_TESTS_PER_MINUTE test connections and pings this minute (20 by default). The Retry-After header gives the seconds until the next minute.',
  503: 'A dependency did not answer in time; try again later.',
};

/**
 * Documents the error responses of an operation, all with the `Error` body.
 * `descriptions` replaces the default text of a status for this operation.
 */
export function ApiErrorResponses(
  statuses: ApiErrorStatus[],
  descriptions: Partial<Record<ApiErrorStatus, string>> = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: descriptions[status] ?? DEFAULT_DESCRIPTIONS[status],
        type: ErrorBodyResponse,
      }),
    ),
  );
}
