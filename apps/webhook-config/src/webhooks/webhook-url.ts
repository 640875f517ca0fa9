import { validateWebhookUrl } from '@quor/egress';
import { isIP } from 'node:net';
import { FieldError } from '../errors/domain.errors';

/** A DNS label: letters, digits and inner hyphens, 1 to 63 characters. */
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Checks what can be known about a webhook URL without DNS and returns it
 * in the WHATWG URL parser's normalized form, which is the URL delivery
 * requests. The stored URL then shows exactly where requests go: for
 * example, `https:hooks.example.com` is stored as
 * `https://hooks.example.com/`. The delivery worker checks the resolved
 * address of every attempt.
 *
 * @throws FieldError naming the problem and the fix.
 */
export function normalizeWebhookUrl(
  url: string,
  allowLoopback: boolean,
): string {
  const problem = validateWebhookUrl(url, { allowLoopback });
  if (problem) {
    throw new FieldError('url', problem);
  }

  const parsed = new URL(url);
  const host = parsed.hostname;
  if (!host.startsWith('[') && isIP(host) === 0) {
    const invalid = host.split('.').find((label) => !HOST_LABEL.test(label));
    if (invalid !== undefined) {
      throw new FieldError(
        'url',
        `host name ${host} has an invalid label "${invalid}"; use labels of letters, digits and inner hyphens`,
      );
    }
  }

  return parsed.href;
}
