import { Inject, Injectable, Logger } from '@nestjs/common';
import { TestConnectionRequest, TestConnectionResult } from '@quor/contracts';
import { RabbitRpcClient } from '@quor/messaging';
import { CONFIG, ConfigServiceConfig } from '../config/config-service.config';
import { DependencyUnavailableError } from '../errors/domain.errors';
import { OutboundTestQuota } from './outbound-test-quota.service';
import { normalizeWebhookUrl } from './webhook-url';

/**
 * A test-connection attempt ends after 5.5 s at the latest, because headers
 * must arrive within 5 s and body reading stops at its hard deadline. The
 * rest covers the round trip through the broker.
 */
export const TEST_CONNECTION_TIMEOUT_MS = 6_000;

/** Sends a test ping to an unsaved URL through a delivery worker. */
@Injectable()
export class TestConnectionService {
  private readonly logger = new Logger(TestConnectionService.name);

  constructor(
    private readonly rpc: RabbitRpcClient,
    private readonly testQuota: OutboundTestQuota,
    @Inject(CONFIG) private readonly config: ConfigServiceConfig,
  ) {}

  async test(
    organizationId: string,
    url: string,
  ): Promise<TestConnectionResult> {
    const request: TestConnectionRequest = {
      organization_id: organizationId,
      url: normalizeWebhookUrl(url, this.config.EGRESS_ALLOW_LOOPBACK),
    };
    // Counted once the URL passed the checks: only attempts that reach a
    // delivery worker count against the limit.
    await this.testQuota.consume(organizationId);
    const result = await this.rpc.request<TestConnectionResult>(
      request,
      TEST_CONNECTION_TIMEOUT_MS,
    );
    if (!result) {
      this.logger.warn(
        { organization_id: organizationId },
        'test connection got no answer',
      );
      throw new DependencyUnavailableError(
        'no delivery worker replied within 6 seconds; try again in a minute',
      );
    }

    return result;
  }
}
