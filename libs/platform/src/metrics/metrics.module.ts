import { DynamicModule, Module, Type } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { MetricsController } from './metrics.controller';

/**
 * Prometheus metrics on `GET /metrics`. Each application gets a registry of
 * its own, so several applications in one process (as in tests) keep their
 * counts apart. The registry carries the default Node.js metrics of
 * prom-client and the label `service` on every series.
 */
@Module({})
export class MetricsModule {
  /**
   * @param service value of the `service` label.
   * @param metricSets injectable classes that create the service's metrics
   *   on the registry, such as MessagingMetrics or DeliveryMetrics.
   */
  static forRoot(service: string, metricSets: Type[]): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: Registry, useFactory: () => createServiceRegistry(service) },
        ...metricSets,
      ],
      exports: [Registry, ...metricSets],
    };
  }
}

/** Creates a registry with the default Node.js metrics and a `service` label. */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  return registry;
}
