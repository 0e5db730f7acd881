import { addressKey } from './address-key';

describe('addressKey', () => {
  it.each([
    ['an IPv4 address, as it is', '192.0.2.1', '192.0.2.1'],
    ['an IPv4-mapped IPv6 address, as its IPv4 address', '::ffff:192.0.2.1', '192.0.2.1'],
    ['an IPv4-mapped address in capitals', '::FFFF:192.0.2.1', '192.0.2.1'],
    ['an IPv6 address, by its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['a compressed IPv6 address', '2001:db8::1', '2001:db8:0:0::/64'],
    ['leading zeros and capitals', '2001:0DB8:0001:0002::abcd', '2001:db8:1:2::/64'],
    ['the loopback', '::1', '0:0:0:0::/64'],
    ['something that is no address, as it is', 'not-an-ip', 'not-an-ip'],
  ])('keys %s', (_name, address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it('puts every address of one /64 under one key, and the next /64 under another', () => {
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
  });
});
