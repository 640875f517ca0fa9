import { localEnv, LOCAL_JWT_SECRET } from './local-env';
import {
  SERVICES,
  ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from './service-process';

/**
 * Runs the three services against DATABASE_URL and AMQP_URL (by default the
 * local PostgreSQL and RabbitMQ), prefixing each log line with the service.
 */
async function start(): Promise<void> {
  const env = localEnv();
  if (env.JWT_SECRET === LOCAL_JWT_SECRET) {
    console.log(
      'JWT_SECRET is not set: using the public local development key.',
    );
  }

  const services: ServiceProcess[] = SERVICES.map((name) =>
    startServiceProcess(name, env, (line) => console.log(`[${name}] ${line}`)),
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    await Promise.all(services.map((service) => stopServiceProcess(service)));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const service of services) {
    service.child.on('exit', (code) => {
      if (!stopping) {
        console.error(
          `${service.name} exited with code ${code}; stopping the others`,
        );
        void stop(1);
      }
    });
  }
}

void start();
