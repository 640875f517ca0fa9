import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { ORGANIZATION_ID_PATTERN } from './organization-id';

export const ORGANIZATION_PLAN_CHANGED = 'organization.plan_changed';

export const PLANS = ['trial', 'free', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** A trial lasts this long from `trial_started_at`. */
export const TRIAL_DAYS = 14;

/** Webhooks each plan allows; `null` is unlimited. */
export const PLAN_WEBHOOK_LIMITS: Record<Plan, number | null> = {
  trial: 1,
  free: 0,
  enterprise: null,
};

/**
 * Body of `organization.plan_changed` on `quor.events`. `trial_started_at`
 * is required for the trial plan and ignored for the others; when it is
 * omitted for a trial, `occurred_at` is the start. Consumers keep the change
 * with the newest `occurred_at`.
 */
export class OrganizationPlanChangedMessage {
  @IsString({ message: 'event_id must be a string such as a UUID' })
  @Length(1, 200, { message: 'event_id must be 1 to 200 characters' })
  event_id!: string;

  @IsISO8601(
    { strict: true, strictSeparator: true },
    {
      message:
        'occurred_at must be an ISO 8601 date-time such as 2026-12-03T10:15:00Z',
    },
  )
  occurred_at!: string;

  @IsString()
  @Matches(ORGANIZATION_ID_PATTERN, {
    message: 'organization_id must be 1 to 64 letters, digits, "_" or "-"',
  })
  organization_id!: string;

  @IsIn(PLANS, { message: `plan must be one of ${PLANS.join(', ')}` })
  plan!: Plan;

  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    {
      message:
        'trial_started_at must be an ISO 8601 date-time such as 2026-12-03T10:15:00Z',
    },
  )
  trial_started_at?: string;
}

/** End of a trial that started at `startedAt`. */
export function trialEndsAt(startedAt: Date): Date {
  return new Date(startedAt.getTime() + TRIAL_DAYS * 24 * 60 * 60 * 1000);
}

/** Webhooks allowed for `plan` at `now`; an expired trial allows none. */
export function webhookLimit(
  plan: Plan,
  trialStartedAt: Date | null,
  now: Date,
): number | null {
  if (
    plan === 'trial' &&
    trialStartedAt &&
    trialEndsAt(trialStartedAt) <= now
  ) {
    return 0;
  }

  return PLAN_WEBHOOK_LIMITS[plan];
}
