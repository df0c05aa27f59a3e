//! A small seeded PRNG for the simulation: xoshiro256** seeded through SplitMix64, with the
//! distributions scenarios use (uniform, exponential, Zipf-like skew).
//!
//! Everything here is integer arithmetic, so a seed gives the same numbers natively and in
//! WebAssembly. The exponential distribution uses a table of `-ln` values computed at compile
//! time with basic IEEE operations only (no `libm`), then integer math at run time.

/// SplitMix64: expands one `u64` seed into well-mixed words (used to seed [`Rng`]).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting at `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, never all zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

/// Fixed-point scale of [`NEG_LN`]: values are `-ln(m) * 2^16`.
const LN_SCALE_BITS: u32 = 16;
/// `ln 2 * 2^16`, rounded.
const LN2_FIXED: u64 = 45_426;
/// Mantissa bits used to index [`NEG_LN`].
const TABLE_BITS: u32 = 8;

/// `-ln(m) * 2^16` for `m = (256 + i + 0.5) / 512`, `i` in `0..256` (so `m` in `[0.5, 1)`).
const NEG_LN: [u64; 256] = neg_ln_table();

const fn neg_ln_table() -> [u64; 256] {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let m = (256.0 + i as f64 + 0.5) / 512.0;
        // ln(m) = 2 atanh(z), z = (m - 1) / (m + 1) in (-1/3, 0): the series converges fast.
        let z = (m - 1.0) / (m + 1.0);
        let z2 = z * z;
        let mut term = z;
        let mut sum = 0.0;
        let mut k = 0;
        while k < 40 {
            sum += term / (2 * k + 1) as f64;
            term *= z2;
            k += 1;
        }
        let neg_ln = -2.0 * sum;
        t[i] = (neg_ln * (1u64 << LN_SCALE_BITS) as f64 + 0.5) as u64;
        i += 1;
    }
    t
}

impl Rng {
    /// A generator whose state is four SplitMix64 outputs of `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        // SplitMix64 never yields four zero words in a row, but keep the invariant explicit.
        debug_assert!(s != [0; 4]);
        Rng { s }
    }

    /// An independent generator for one stream of decisions (one producer, one consumer),
    /// so adding an entity does not shift the numbers the others draw.
    #[must_use]
    pub fn fork(seed: u64, stream: u64) -> Self {
        Rng::new(seed ^ stream.wrapping_mul(0xd605_bbb5_8c8a_bbfd).rotate_left(17))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`0` when `n` is 0), by Lemire's multiply-shift (the bias is below
    /// `n / 2^64`, far under anything a scenario can show).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` if `hi < lo`).
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// Exponentially distributed with mean `mean` (in any unit), rounded to an integer.
    ///
    /// A uniform `U` in `(0, 1]` is written `m * 2^-k` with `m` in `[0.5, 1)`; then
    /// `-ln U = k ln 2 - ln m`, with `-ln m` from a 256-entry table.
    pub fn exponential(&mut self, mean: u64) -> u64 {
        let x = self.next_u64();
        // k leading zeros, then the next TABLE_BITS bits below the leading one index the table.
        let k = u64::from(x.leading_zeros());
        let neg_ln_fixed = if x == 0 {
            64 * LN2_FIXED
        } else {
            let shift = 63 - k as u32;
            let mantissa = if shift >= TABLE_BITS {
                (x >> (shift - TABLE_BITS)) & ((1 << TABLE_BITS) - 1)
            } else {
                (x << (TABLE_BITS - shift)) & ((1 << TABLE_BITS) - 1)
            };
            k * LN2_FIXED + NEG_LN[mantissa as usize]
        };
        let v = (u128::from(neg_ln_fixed) * u128::from(mean)) >> LN_SCALE_BITS;
        u64::try_from(v).unwrap_or(u64::MAX)
    }
}

/// A Zipf-like distribution over `0..n`: index `i` has weight `1 / (i + 1)`, as integer
/// cumulative weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skewed {
    cumulative: alloc::vec::Vec<u64>,
}

impl Skewed {
    /// The distribution over `0..n` (`n` at least 1).
    #[must_use]
    pub fn new(n: u32) -> Self {
        let mut total = 0u64;
        let cumulative = (0..u64::from(n.max(1)))
            .map(|i| {
                total += (1u64 << 32) / (i + 1);
                total
            })
            .collect();
        Skewed { cumulative }
    }

    /// Draws an index.
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let x = rng.below(total);
        self.cumulative.partition_point(|&c| c <= x) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sequence() {
        // SplitMix64 reference values for seed 0 (from Vigna's splitmix64.c).
        let mut sm = SplitMix64::new(0);
        assert_eq!(sm.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(sm.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn table_matches_known_logs() {
        // -ln(0.5 + 0.5/512) and -ln(1 - 0.5/512) in 16.16 fixed point.
        assert_eq!(NEG_LN[0], 45_298);
        assert_eq!(NEG_LN[255], 64);
        assert_eq!(LN2_FIXED, (core::f64::consts::LN_2 * 65_536.0 + 0.5) as u64);
    }

    #[test]
    fn distributions_have_their_means() {
        let mut r = Rng::new(7);
        let n = 200_000u64;
        let sum: u64 = (0..n).map(|_| r.exponential(1000)).sum();
        let mean = sum / n;
        assert!((980..1020).contains(&mean), "exponential mean {mean}");
        let sum: u64 = (0..n).map(|_| r.range_inclusive(10, 30)).sum();
        assert!((19_900..20_100).contains(&(sum * 1000 / n)));
        let z = Skewed::new(8);
        let mut counts = [0u32; 8];
        for _ in 0..n {
            counts[z.sample(&mut r) as usize] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[3] && counts[3] > counts[7]);
        assert_eq!(counts.iter().sum::<u32>() as u64, n);
    }
}
