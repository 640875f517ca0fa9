import { readEventId } from './rabbit.transport';

describe('readEventId', () => {
  it('returns the event id of a JSON body', () => {
    const body = Buffer.from('{"event_id":"ev-1","tag":"x"}');
    expect(readEventId(body)).toBe('ev-1');
  });

  it.each([
    ['not JSON', 'not json'],
    ['JSON null', 'null'],
    ['numeric id', '{"event_id":7}'],
    ['no id', '{"image":"default/image"}'],
  ])('returns null for %s', (_, text) => {
    expect(readEventId(Buffer.from(text))).toBeNull();
  });
});
