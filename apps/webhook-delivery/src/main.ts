import 'reflect-metadata';
import { exitOnStartupError, loadConfig, startService } from '@quor/platform';
import { existsSync } from 'node:fs';
import { DeliveryServiceConfig } from './config/delivery.config';
import { createDeliveryApplication } from './delivery-application';

async function main(): Promise<void> {
  const config = loadConfig(DeliveryServiceConfig, process.env);
  if (config.EGRESS_EXTRA_CA_FILE && !existsSync(config.EGRESS_EXTRA_CA_FILE)) {
    throw new Error(
      `EGRESS_EXTRA_CA_FILE=${config.EGRESS_EXTRA_CA_FILE} does not exist; ` +
        'point it at a PEM file of CA certificates or leave it unset',
    );
  }

  await startService({
    name: 'webhook-delivery',
    port: config.HTTP_PORT,
    create: () => createDeliveryApplication(config),
  });
}

main().catch((error) => exitOnStartupError('webhook-delivery', error));
