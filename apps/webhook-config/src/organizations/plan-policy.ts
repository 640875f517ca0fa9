import { Plan, trialEndsAt, webhookLimit } from '@quor/contracts';
import type { OrganizationEntity } from './organization.entity';

const PLAN_NAMES: Record<Plan, string> = {
  trial: 'Trial',
  free: 'Free',
  enterprise: 'Enterprise',
};

export interface PlanState {
  plan: Plan;
  /** Webhooks that may be enabled now; null is unlimited. */
  limit: number | null;
  trialEndsAt: Date | null;
  trialExpired: boolean;
}

/**
 * Plan in force for `organization` at `now`. An organization the platform
 * has not announced yet is on the Free plan.
 */
export function planState(
  organization: OrganizationEntity | null,
  now: Date,
): PlanState {
  if (!organization) {
    return { plan: 'free', limit: 0, trialEndsAt: null, trialExpired: false };
  }
  const ends =
    organization.plan === 'trial' && organization.trialStartedAt
      ? trialEndsAt(organization.trialStartedAt)
      : null;

  return {
    plan: organization.plan,
    limit: webhookLimit(organization.plan, organization.trialStartedAt, now),
    trialEndsAt: ends,
    trialExpired: ends !== null && ends <= now,
  };
}

/** Describes the limit for messages, e.g. "the Trial plan allows 1 webhook". */
export function describeLimit(state: PlanState): string {
  const name = PLAN_NAMES[state.plan];
  if (state.trialExpired && state.trialEndsAt) {
    return `the Trial plan ended on ${state.trialEndsAt.toISOString()} and allows 0 webhooks`;
  }
  const count = state.limit === null ? 'unlimited' : String(state.limit);
  const noun = state.limit === 1 ? 'webhook' : 'webhooks';

  return `the ${name} plan allows ${count} enabled ${noun}`;
}
