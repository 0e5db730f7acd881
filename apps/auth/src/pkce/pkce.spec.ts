import { RFC7636_CHALLENGE, RFC7636_VERIFIER } from '../../test/support/fakes';
import { CODE_VERIFIER } from '@app/contracts';
import { S256_CHALLENGE, verifierMatches } from './pkce';

describe('pkce', () => {
  it('matches the example of RFC 7636 Appendix B', () => {
    expect(RFC7636_VERIFIER).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(RFC7636_CHALLENGE).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifierMatches(RFC7636_VERIFIER, RFC7636_CHALLENGE)).toBe(true);
  });

  it('refuses a verifier that differs in one character', () => {
    const changed = `${RFC7636_VERIFIER.slice(0, -1)}j`;
    expect(verifierMatches(changed, RFC7636_CHALLENGE)).toBe(false);
  });

  it('refuses the plain method: the challenge is not its own verifier', () => {
    expect(verifierMatches(RFC7636_CHALLENGE, RFC7636_CHALLENGE)).toBe(false);
  });

  it.each([
    ['42 characters', 'a'.repeat(42), false],
    ['43 characters', 'a'.repeat(43), true],
    ['128 characters', 'a'.repeat(128), true],
    ['129 characters', 'a'.repeat(129), false],
    ['the unreserved punctuation', `${'a'.repeat(40)}-._~`, true],
    ['a space', `${'a'.repeat(42)} `, false],
    ['a plus sign', `${'a'.repeat(42)}+`, false],
  ])('a verifier of %s is well formed: %s', (_name, verifier, ok) => {
    expect(CODE_VERIFIER.test(verifier)).toBe(ok);
  });

  it('does not hash a malformed verifier, even one whose hash would match', () => {
    const short = 'a'.repeat(42);
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const challenge = createHash('sha256').update(short).digest('base64url');
    expect(verifierMatches(short, challenge)).toBe(false);
  });

  it.each([
    [RFC7636_CHALLENGE, true],
    [RFC7636_CHALLENGE.slice(1), false],
    [`${RFC7636_CHALLENGE}=`, false],
    [`${RFC7636_CHALLENGE.slice(1)}+`, false],
  ])('S256_CHALLENGE.test(%s) is %s', (challenge, ok) => {
    expect(S256_CHALLENGE.test(challenge)).toBe(ok);
  });
});
