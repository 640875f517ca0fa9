import { IsString, Matches, MaxLength } from 'class-validator';
import { ORGANIZATION_ID_PATTERN } from './organization-id';
import {
  AttemptTimings,
  DeliveryOutcome,
  RecordedResponse,
} from './delivery-record.message';

/** Queue of test-connection requests, whose replies go through direct reply-to. */
export const TEST_CONNECTION_QUEUE = 'webhook-delivery.test-connection';

/** Request to POST a test ping to an unsaved URL under the egress rules. */
export class TestConnectionRequest {
  @Matches(ORGANIZATION_ID_PATTERN)
  organization_id!: string;

  @IsString()
  @MaxLength(2048)
  url!: string;
}

export interface TestConnectionResult {
  outcome: DeliveryOutcome;
  error_message: string | null;
  response: Pick<
    RecordedResponse,
    'status' | 'content_type' | 'body' | 'body_truncated'
  > | null;
  timings: AttemptTimings;
}
