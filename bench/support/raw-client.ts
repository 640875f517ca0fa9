import { Agent, request } from 'node:https';

export interface RawRunResult {
  requests: number;
  failures: number;
  seconds: number;
  /** User plus system CPU seconds of this process during the run. */
  cpuSeconds: number;
}

/**
 * POSTs `body` with `headers` to `urls` in turn, `total` times, with
 * `concurrency` requests in flight, through one keep-alive agent that
 * allows `maxSocketsPerOrigin` sockets per origin like the worker's agent.
 */
export async function runRawClient(options: {
  urls: string[];
  total: number;
  concurrency: number;
  maxSocketsPerOrigin: number;
  ca: string;
  headers: Record<string, string>;
  body: string;
}): Promise<RawRunResult> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSocketsPerOrigin,
    maxFreeSockets: options.maxSocketsPerOrigin,
    scheduling: 'lifo',
    ca: options.ca,
    minVersion: 'TLSv1.2',
  });
  const headers = {
    ...options.headers,
    'content-length': String(Buffer.byteLength(options.body)),
  };
  let next = 0;
  let failures = 0;

  const post = (url: string): Promise<void> =>
    new Promise((resolve) => {
      const outgoing = request(
        url,
        { method: 'POST', agent, headers, timeout: 5_000 },
        (response) => {
          response.resume();
          response.on('end', () => {
            if ((response.statusCode ?? 0) >= 300) {
              failures += 1;
            }
            resolve();
          });
          response.on('error', () => {
            failures += 1;
            resolve();
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy());
      outgoing.on('error', () => {
        failures += 1;
        resolve();
      });
      outgoing.end(options.body);
    });

  const loop = async (): Promise<void> => {
    while (next < options.total) {
      const index = next;
      next += 1;
      await post(options.urls[index % options.urls.length]);
    }
  };

  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  agent.destroy();

  return {
    requests: options.total,
    failures,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
