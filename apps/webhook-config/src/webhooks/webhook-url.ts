import { validateWebhookUrl } from '@quor/egress';
import { FieldError } from '../errors/domain.errors';

/**
 * Checks what can be known about a webhook URL without DNS; the delivery
 * worker checks the resolved address of every attempt.
 *
 * @throws FieldError naming the problem and the fix.
 */
export function assertWebhookUrl(url: string, allowLoopback: boolean): void {
  const problem = validateWebhookUrl(url, { allowLoopback });
  if (problem) {
    throw new FieldError('url', problem);
  }
}
