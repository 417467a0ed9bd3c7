import { mostTelling, type Rejected } from '../../../../src/verifiers/kit/outcome';

type Kinded = Rejected & { readonly kind: 'a' | 'b' | 'c' };
const RANK = { a: 1, b: 3, c: 2 } as const;
const refusal = (kind: Kinded['kind'], where: string): Kinded => ({ ok: false, where, reason: kind, kind });

describe('mostTelling', () => {
  it.each<[string, readonly Kinded[], string | undefined]>([
    ['nothing when nothing was refused', [], undefined],
    ['the only refusal', [refusal('a', 'one')], 'one'],
    [
      'the highest rank wherever it stands',
      [refusal('a', 'one'), refusal('b', 'two'), refusal('c', 'three')],
      'two',
    ],
    ['the first of equal ranks', [refusal('c', 'one'), refusal('c', 'two'), refusal('a', 'three')], 'one'],
  ])('picks %s', (_, rejected, where) => {
    expect(mostTelling(rejected, (r) => RANK[r.kind])?.where).toBe(where);
  });

  it('leaves the list in its order', () => {
    const rejected = [refusal('a', 'one'), refusal('b', 'two')];
    mostTelling(rejected, (r) => RANK[r.kind]);
    expect(rejected.map((r) => r.where)).toEqual(['one', 'two']);
  });
});
