import { T0 } from '../../../test/support/fakes';
import { describeKeyDirectory, jwk } from '../key-directory.contract';
import { InMemoryKeyDirectory } from './in-memory-key.directory';

describe('InMemoryKeyDirectory', () => {
  describeKeyDirectory(async () => ({
    directories: [new InMemoryKeyDirectory()],
    now: T0,
    close: async () => undefined,
  }));

  it('hands out copies, so that a caller cannot change what it lists', async () => {
    const directory = new InMemoryKeyDirectory();
    const published = jwk('key-a');
    await directory.publish(published, T0 + 60);
    published.kid = 'changed';
    const [listed] = await directory.list(T0);
    if (listed) listed.x = 'changed';
    expect(await directory.list(T0)).toStrictEqual([jwk('key-a')]);
  });
});
