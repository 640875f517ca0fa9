import { validateWebhookUrl, WEBHOOK_URL_MAX_LENGTH } from './url-policy';

describe('validateWebhookUrl', () => {
  it.each([
    'https://hooks.example.com/quor',
    'https://hooks.example.com:8443/quor?tenant=7',
    'https://hooks.example.com./quor',
    'https://1.1.1.1/hook',
    'https://[2606:4700::1111]/hook',
    // Public-looking names pass, and the guarded lookup checks their addresses.
    'https://internal.example.test/',
    'https://mixed.example.test/',
  ])('accepts %s', (url) => {
    expect(validateWebhookUrl(url)).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/quor', 'Change http:// to https://'],
    ['ftp://hooks.example.com/quor', 'scheme ftp is not supported'],
    ['https://user:secret@hooks.example.com/', 'user name or password'],
    ['https://user@hooks.example.com/', 'user name or password'],
    ['https://hooks.example.com/quor#section', 'fragment'],
    ['https://hooks.example.com/#', 'fragment'],
    ['hooks.example.com/quor', 'not a valid absolute URL'],
    ['https://', 'not a valid absolute URL'],
    ['https://hooks.example.com/a b', 'whitespace'],
    ['https://hooks.exam\nple.com/', 'whitespace'],
    ['https://hooks.example.com:0/', 'port 0'],
    ['https://127.0.0.1/', 'not publicly routable'],
    ['https://localhost:8443/', 'local or internal name'],
    ['https://localhost./', 'local or internal name'],
    ['https://api.localhost/', 'local or internal name'],
    ['https://printer.local/', 'local or internal name'],
    ['https://metadata.google.internal/', 'local or internal name'],
    ['https://nas.home.arpa/', 'local or internal name'],
    ['https://hooks/', 'has no dot'],
    ['https://unix:/var/run/docker.sock:/containers', 'unix socket'],
    ['https://10.1.2.3/', 'not publicly routable'],
    ['https://172.16.0.9/', 'not publicly routable'],
    ['https://192.168.1.10/', 'not publicly routable'],
    ['https://169.254.169.254/latest/meta-data/', 'not publicly routable'],
    ['https://100.64.0.1/', 'not publicly routable'],
    ['https://0.0.0.0/', 'not publicly routable'],
    ['https://2130706433/', 'address 127.0.0.1 is not publicly routable'],
    ['https://0x7f000001/', 'address 127.0.0.1 is not publicly routable'],
    ['https://127.1/', 'address 127.0.0.1 is not publicly routable'],
    ['https://[::1]/', 'not publicly routable'],
    ['https://[fd00::1]/', 'not publicly routable'],
    ['https://[fe80::1]/', 'not publicly routable'],
    ['https://[::ffff:10.0.0.1]/', 'not publicly routable'],
  ])('rejects %s', (url, problem) => {
    expect(validateWebhookUrl(url)).toContain(problem);
  });

  it('rejects a URL over the length limit', () => {
    const url = `https://hooks.example.com/${'a'.repeat(WEBHOOK_URL_MAX_LENGTH)}`;

    expect(validateWebhookUrl(url)).toContain('Use at most 2048');
  });

  it('accepts a URL at the length limit', () => {
    const prefix = 'https://hooks.example.com/';
    const url = `${prefix}${'a'.repeat(WEBHOOK_URL_MAX_LENGTH - prefix.length)}`;

    expect(url.length).toBe(WEBHOOK_URL_MAX_LENGTH);
    expect(validateWebhookUrl(url)).toBeNull();
  });

  it.each([
    'https://localhost:8443/',
    'https://127.0.0.1:9000/',
    'https://[::1]/',
  ])('accepts %s with loopback allowed', (url) => {
    expect(validateWebhookUrl(url, { allowLoopback: true })).toBeNull();
  });

  it('keeps private ranges rejected with loopback allowed', () => {
    expect(
      validateWebhookUrl('https://10.1.2.3/', { allowLoopback: true }),
    ).toContain('not publicly routable');
  });
});
