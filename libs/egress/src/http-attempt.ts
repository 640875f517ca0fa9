import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Request as GotRequest } from 'got';
import {
  AttemptTimings,
  DeliveryOutcome,
  RecordedResponse,
} from '@quor/contracts';
import {
  describeRequestError,
  FailedOutcome,
  headersTimeoutMessage,
  httpErrorMessage,
} from './attempt-error';
import { RequestTimestamps, toAttemptTimings } from './attempt-timings';
import { BodyCollector } from './body-collector';
import { buildRecordedResponse } from './recorded-response';

/** Result of one delivery attempt. `errorMessage` is shown to customers. */
export interface AttemptResult {
  outcome: DeliveryOutcome;
  errorMessage: string | null;
  response: RecordedResponse | null;
  /** Address the connection went to, or null when none was made. */
  remoteAddress: string | null;
  timings: AttemptTimings;
}

export interface AttemptLimits {
  responseTimeoutMs: number;
  hardDeadlineMs: number;
  maxBodyBytes: number;
}

/**
 * Sends one POST through a got stream and records how it ended. The
 * returned promise always resolves. `onResponse` runs when the response
 * headers arrive. Response headers must arrive within
 * `responseTimeoutMs` of `startedAt`, body reading stops after
 * `maxBodyBytes` or at `hardDeadlineMs`, and the request is destroyed when
 * reading stops early, so the connection is not reused.
 */
export function runAttempt(
  send: () => GotRequest,
  limits: AttemptLimits,
  origin: string,
  startedAt: number,
  onResponse: () => void = () => undefined,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const collector = new BodyCollector(limits.maxBodyBytes);
    let response: IncomingMessage | undefined;
    let remoteAddress: string | null = null;
    let settled = false;
    let stream: GotRequest | undefined;

    const settle = (
      result: Pick<AttemptResult, 'outcome' | 'errorMessage' | 'response'>,
      destroy: boolean,
    ): void => {
      if (settled) {
        return;
      }

      settled = true;
      clearTimeout(headersTimer);
      clearTimeout(deadlineTimer);
      if (destroy) {
        stream?.destroy();
      }

      const timestamps = stream?.timings as RequestTimestamps | undefined;
      resolve({
        ...result,
        remoteAddress,
        timings: toAttemptTimings(timestamps, startedAt, Date.now()),
      });
    };

    const settleWithResponse = (truncated: boolean): void => {
      if (!response) {
        return;
      }

      let recorded: RecordedResponse;
      try {
        recorded = buildRecordedResponse(
          response,
          collector.bytes(),
          collector.bytesSeen,
          truncated,
        );
      } catch (error) {
        // This runs in an event handler, where a throw would crash the
        // worker process instead of failing one attempt.
        settleWithError(describeRequestError(error, origin));
        return;
      }

      settle(describeResponse(recorded), truncated);
    };

    const settleWithError = (failure: FailedOutcome): void => {
      settle({ ...failure, response: null }, true);
    };

    const headersTimer = setTimeout(
      () => {
        if (!response) {
          settleWithError({
            outcome: 'timeout',
            errorMessage: headersTimeoutMessage(limits.responseTimeoutMs),
          });
        }
      },
      limits.responseTimeoutMs - (Date.now() - startedAt),
    );

    // The deadline keeps what arrived. When no headers came, the headers
    // timer has already settled the attempt.
    const deadlineTimer = setTimeout(
      () => settleWithResponse(true),
      limits.hardDeadlineMs - (Date.now() - startedAt),
    );

    try {
      stream = send();
    } catch (error) {
      settleWithError(describeRequestError(error, origin));
      return;
    }

    stream.on('socket', (socket: Socket) => {
      if (!socket.connecting) {
        remoteAddress = socket.remoteAddress ?? null;
        return;
      }

      socket.once('connect', () => {
        remoteAddress = socket.remoteAddress ?? null;
      });
    });

    stream.once('response', (received: IncomingMessage) => {
      clearTimeout(headersTimer);
      response = received;
      onResponse();
    });

    stream.on('data', (chunk: Buffer) => {
      if (collector.add(chunk)) {
        settleWithResponse(true);
      }
    });

    stream.once('end', () => settleWithResponse(false));

    stream.on('error', (error: unknown) => {
      if (response) {
        settleWithResponse(true);
        return;
      }

      settleWithError(describeRequestError(error, origin));
    });
  });
}

function describeResponse(
  recorded: RecordedResponse,
): Pick<AttemptResult, 'outcome' | 'errorMessage' | 'response'> {
  const { status } = recorded;
  if (status >= 200 && status < 300) {
    return { outcome: 'success', errorMessage: null, response: recorded };
  }

  const location = recorded.headers['location'];
  const firstLocation = Array.isArray(location) ? location[0] : location;

  return {
    outcome: 'http_error',
    errorMessage: httpErrorMessage(status, firstLocation ?? null),
    response: recorded,
  };
}
