import { serviceEnvironment } from './service-process';

describe('serviceEnvironment', () => {
  it('drops HTTP_PORT of the shell', () => {
    const env = serviceEnvironment({ HTTP_PORT: '8080', PATH: '/bin' }, {});

    expect(env.HTTP_PORT).toBeUndefined();
    expect(env.PATH).toBe('/bin');
  });

  it('keeps HTTP_PORT given for the service', () => {
    const env = serviceEnvironment(
      { HTTP_PORT: '8080' },
      { HTTP_PORT: '3002' },
    );

    expect(env.HTTP_PORT).toBe('3002');
  });
});
