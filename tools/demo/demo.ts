import { runRoundTrip } from './round-trip';

/**
 * Shows the whole path once and exits 0 only when the delivery succeeded,
 * the receiver got it and its signature verified.
 */
async function demo(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const result = await runRoundTrip({
    log: (line) => console.log(`demo: ${line}`),
    serviceLog: verbose
      ? (service, line) => console.log(`[${service}] ${line}`)
      : undefined,
  });

  const listed = result.listed ?? {};
  console.log('\nDelivery as GET /v1/webhooks/:id/deliveries lists it:');
  console.log(`  outcome:          ${listed.outcome}`);
  console.log(`  status:           ${listed.status}`);
  console.log(`  duration:         ${listed.duration_ms} ms`);
  console.log(`  response excerpt: ${listed.response_excerpt}`);

  const received = result.received[0];
  console.log('\nRequest as the receiver saw it:');
  if (received) {
    for (const name of [
      'content-type',
      'user-agent',
      'webhook-id',
      'webhook-timestamp',
      'quor-event-type',
      'quor-event-id',
    ]) {
      console.log(`  ${name}: ${received.headers[name]}`);
    }
    console.log(
      `  signature verified with standardwebhooks: ${received.signatureValid}`,
    );
    console.log(`  body: ${received.body}`);
  } else {
    console.log('  nothing arrived');
  }

  const succeeded =
    listed.outcome === 'success' &&
    result.received.length === 1 &&
    received?.signatureValid === true;
  console.log(succeeded ? '\nRound trip succeeded.' : '\nRound trip FAILED.');
  process.exit(succeeded ? 0 : 1);
}

demo().catch((error) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exit(1);
});
