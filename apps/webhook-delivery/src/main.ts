import 'reflect-metadata';
import { exitOnStartupError, loadConfig, startService } from '@quor/platform';
import { DeliveryServiceConfig } from './config/delivery.config';
import { createDeliveryApplication } from './delivery-application';

async function main(): Promise<void> {
  const config = loadConfig(DeliveryServiceConfig, process.env);

  await startService({
    name: 'webhook-delivery',
    port: config.HTTP_PORT,
    create: () => createDeliveryApplication(config),
  });
}

main().catch((error) => exitOnStartupError('webhook-delivery', error));
