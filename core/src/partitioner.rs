//! Where a record goes: Kafka's producer partitioner, bit for bit.
//!
//! A keyed record goes to `partition = (murmur2(key) & 0x7fffffff) % N`, exactly as Kafka's
//! Java client (`BuiltInPartitioner.partitionForKey`, built on `Utils.murmur2` and
//! `Utils.toPositive`), so a key lands on the same partition number here as it would in a Kafka
//! topic with the same partition count. These functions are public so that people can predict
//! where their data goes:
//!
//! ```
//! use brokerlab::partitioner::{Partition, murmur2, partition_for_key, to_positive};
//!
//! // Kafka's own test vector (`UtilsTest.testMurmur2`).
//! assert_eq!(murmur2(b"21"), -973932308);
//! assert_eq!(to_positive(-973932308), 1173551340);
//! // With 3 partitions, "21" goes to partition 1173551340 % 3 = 0.
//! assert_eq!(partition_for_key(b"21", 3), Ok(Partition(0)));
//! // Zero partitions is a typed error, not a division by zero.
//! assert!(partition_for_key(b"21", 0).is_err());
//! ```
//!
//! A record without a key is placed by a [`KeylessPartitioner`], either round-robin (Kafka's
//! `RoundRobinPartitioner`) or sticky (Kafka's default for keyless records since KIP-480 and
//! KIP-794: stay on one partition for a whole batch, then move on). Both are deterministic
//! here; see [`KeylessStrategy`] for how the sticky choice differs from Kafka's random one.

use core::fmt;

/// A partition number of a stream, counted from 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Partition(pub u32);

impl From<u32> for Partition {
    fn from(partition: u32) -> Self {
        Partition(partition)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a record could not be given a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartitionerError {
    /// The stream has no partitions, so no record can be placed in it.
    NoPartitions,
}

impl fmt::Display for PartitionerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartitionerError::NoPartitions => f.write_str("the stream has no partitions"),
        }
    }
}

impl core::error::Error for PartitionerError {}

/// The seed of Kafka's `Utils.murmur2`.
const MURMUR2_SEED: u32 = 0x9747_b28c;
/// The mixing constant of MurmurHash2.
const MURMUR2_M: u32 = 0x5bd1_e995;
/// The shift of MurmurHash2.
const MURMUR2_R: u32 = 24;

/// The 32-bit MurmurHash2 of `data`, exactly as Kafka's `Utils.murmur2(byte[])`.
///
/// Seed `0x9747b28c`, little-endian 4-byte blocks, the tail mixed in the same order as Kafka's
/// `switch` fall-through, and the result reinterpreted as a Java `int` (so it can be negative).
/// Kafka takes the length as a Java `int`; inputs of 2 GiB or more cannot occur there, and here
/// their length is taken modulo 2³², which no caller can tell apart in practice.
///
/// ```
/// assert_eq!(brokerlab::partitioner::murmur2(b"foobar"), -790332482);
/// ```
#[must_use]
pub fn murmur2(data: &[u8]) -> i32 {
    // Java's `int` arithmetic wraps; `u32` with wrapping operations gives the same bits, and
    // `>>>` (unsigned shift) is a plain `>>` on `u32`.
    let length = data.len() as u32;
    let mut h = MURMUR2_SEED ^ length;

    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(MURMUR2_M);
        k ^= k >> MURMUR2_R;
        k = k.wrapping_mul(MURMUR2_M);
        h = h.wrapping_mul(MURMUR2_M);
        h ^= k;
    }

    let tail = blocks.remainder();
    if tail.len() == 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(MURMUR2_M);
    }

    h ^= h >> 13;
    h = h.wrapping_mul(MURMUR2_M);
    h ^= h >> 15;
    h as i32
}

/// Clears the sign bit, as Kafka's `Utils.toPositive(int)` (`number & 0x7fffffff`).
///
/// This is not `abs`: `to_positive(-1)` is `2147483647` and `to_positive(i32::MIN)` is `0`.
#[must_use]
pub const fn to_positive(number: i32) -> u32 {
    (number & 0x7fff_ffff) as u32
}

/// The partition of a keyed record among `partitions`, as Kafka's Java producer:
/// `to_positive(murmur2(key)) % partitions`.
///
/// # Errors
///
/// [`PartitionerError::NoPartitions`] when `partitions` is 0.
pub fn partition_for_key(key: &[u8], partitions: u32) -> Result<Partition, PartitionerError> {
    if partitions == 0 {
        return Err(PartitionerError::NoPartitions);
    }
    Ok(Partition(to_positive(murmur2(key)) % partitions))
}

/// How a [`KeylessPartitioner`] spreads records that have no key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum KeylessStrategy {
    /// Record after record over the partitions in turn, as Kafka's `RoundRobinPartitioner`:
    /// a counter starting at the start value, `to_positive(counter) % N`, then the counter
    /// goes up by one (wrapping like a Java `int`).
    RoundRobin,
    /// Stay on one partition until the caller says the batch is complete
    /// ([`KeylessPartitioner::batch_complete`]), then move on.
    ///
    /// This is the idea of Kafka's sticky partitioner (KIP-480, and KIP-794's
    /// `BuiltInPartitioner`, which switches after `batch.size` bytes): fewer, fuller batches.
    /// Kafka picks the first partition and each next one at random (weighted by queue sizes
    /// when adaptive partitioning is on). Brokerlab reads no randomness and has no broker
    /// queues to weigh, so it starts at the start value (0 unless given) and moves to the
    /// *next* partition number, wrapping at `N`: like Kafka, each batch goes to a partition
    /// other than the previous one (when `N > 1`) and over many batches every partition gets
    /// the same share; unlike Kafka, the sequence is predictable. A caller with a seeded random
    /// source can pass a random start with [`KeylessPartitioner::starting_at`].
    Sticky,
}

/// Chooses partitions for records without a key, one instance per stream (Kafka keeps one
/// counter or sticky partition per topic as well).
///
/// ```
/// use brokerlab::partitioner::{KeylessPartitioner, KeylessStrategy, Partition};
///
/// let mut rr = KeylessPartitioner::new(KeylessStrategy::RoundRobin);
/// let picks: Vec<u32> = (0..4).map(|_| rr.partition(3).unwrap().0).collect();
/// assert_eq!(picks, [0, 1, 2, 0]);
///
/// let mut sticky = KeylessPartitioner::new(KeylessStrategy::Sticky);
/// assert_eq!(sticky.partition(3), Ok(Partition(0)));
/// assert_eq!(sticky.partition(3), Ok(Partition(0))); // same batch, same partition
/// sticky.batch_complete();
/// assert_eq!(sticky.partition(3), Ok(Partition(1))); // the next batch moves on
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KeylessPartitioner {
    strategy: KeylessStrategy,
    /// Round-robin: the next counter value (a Java `int` in Kafka).
    counter: i32,
    /// Sticky: the partition of the open batch, if one is open.
    current: Option<u32>,
    /// Sticky: where the next batch starts (reduced modulo the partition count when used).
    next: u32,
}

impl KeylessPartitioner {
    /// A partitioner with the given strategy, starting at partition 0.
    #[must_use]
    pub const fn new(strategy: KeylessStrategy) -> Self {
        Self::starting_at(strategy, 0)
    }

    /// A partitioner with the given strategy whose first pick is `start % N`.
    ///
    /// Useful to spread several producers over different partitions, or to pass in a value
    /// from a seeded random source as Kafka's random start would be.
    #[must_use]
    pub const fn starting_at(strategy: KeylessStrategy, start: u32) -> Self {
        KeylessPartitioner {
            strategy,
            counter: start as i32,
            current: None,
            next: start,
        }
    }

    /// The strategy this partitioner follows.
    #[must_use]
    pub const fn strategy(&self) -> KeylessStrategy {
        self.strategy
    }

    /// The partition for the next keyless record of a stream that has `partitions` partitions.
    ///
    /// Round-robin advances on every call. Sticky returns the same partition until
    /// [`batch_complete`](Self::batch_complete) is called (or until the partition count no
    /// longer includes it), so call this once per record.
    ///
    /// # Errors
    ///
    /// [`PartitionerError::NoPartitions`] when `partitions` is 0; the state does not change.
    pub fn partition(&mut self, partitions: u32) -> Result<Partition, PartitionerError> {
        if partitions == 0 {
            return Err(PartitionerError::NoPartitions);
        }
        let partition = match self.strategy {
            KeylessStrategy::RoundRobin => {
                let value = self.counter;
                self.counter = self.counter.wrapping_add(1);
                to_positive(value) % partitions
            }
            KeylessStrategy::Sticky => {
                let partition = match self.current {
                    Some(p) if p < partitions => p,
                    _ => self.next % partitions,
                };
                self.current = Some(partition);
                partition
            }
        };
        Ok(Partition(partition))
    }

    /// Tells the partitioner that the current batch is complete (full, or sent because its
    /// linger time passed). Sticky moves to the next partition for the next record;
    /// round-robin ignores it.
    pub fn batch_complete(&mut self) {
        if let Some(p) = self.current.take() {
            self.next = p.wrapping_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    /// Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka_test_vectors() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            // The bytes [b'a', b'b', b'c'], given as numbers.
            (&[97, 98, 99], 479470107),
        ];
        for (input, expected) in cases {
            assert_eq!(murmur2(input), expected, "murmur2({input:?})");
        }
        assert_eq!(murmur2(b"abc"), 479470107);
    }

    #[test]
    fn murmur2_covers_every_tail_length() {
        // Lengths 0..=8 cover 0, 1, 2 and 3 tail bytes with and without full blocks; the
        // values are distinct, and a one-byte change changes the hash.
        let data = b"abcdefgh";
        let hashes: Vec<i32> = (0..=data.len()).map(|n| murmur2(&data[..n])).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_ne!(murmur2(b"abcd"), murmur2(b"abce"));
        // The empty input hashes to the mixed seed alone.
        let mut h = MURMUR2_SEED;
        h ^= h >> 13;
        h = h.wrapping_mul(MURMUR2_M);
        h ^= h >> 15;
        assert_eq!(murmur2(b""), h as i32);
    }

    #[test]
    fn to_positive_clears_the_sign_bit() {
        assert_eq!(to_positive(0), 0);
        assert_eq!(to_positive(5), 5);
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(i32::MAX), 0x7fff_ffff);
        assert_eq!(to_positive(-790332482), 1357151166);
    }

    #[test]
    fn partition_for_key_is_kafkas_formula() {
        // (-790332482 & 0x7fffffff) = 1357151166; mod 3 = 0, mod 7 = 1357151166 % 7.
        assert_eq!(partition_for_key(b"foobar", 3), Ok(Partition(0)));
        assert_eq!(
            partition_for_key(b"foobar", 7),
            Ok(Partition(1357151166 % 7))
        );
        assert_eq!(partition_for_key(b"abc", 1), Ok(Partition(0)));
        assert_eq!(partition_for_key(b"abc", 10), Ok(Partition(7)));
        assert_eq!(
            partition_for_key(b"abc", 0),
            Err(PartitionerError::NoPartitions)
        );
        assert_eq!(
            PartitionerError::NoPartitions.to_string(),
            "the stream has no partitions"
        );
    }

    #[test]
    fn round_robin_cycles_and_wraps_like_a_java_int() {
        let mut rr = KeylessPartitioner::new(KeylessStrategy::RoundRobin);
        let picks: Vec<u32> = (0..7).map(|_| rr.partition(3).unwrap().0).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0]);
        // A batch boundary does not matter to round-robin.
        rr.batch_complete();
        assert_eq!(rr.partition(3), Ok(Partition(1)));
        // Zero partitions is an error and does not advance the counter.
        assert_eq!(rr.partition(0), Err(PartitionerError::NoPartitions));
        assert_eq!(rr.partition(3), Ok(Partition(2)));

        // Past i32::MAX the Java counter goes negative; to_positive maps it back.
        let mut rr = KeylessPartitioner::starting_at(KeylessStrategy::RoundRobin, 0x7fff_ffff);
        assert_eq!(rr.partition(10), Ok(Partition(0x7fff_ffff % 10)));
        assert_eq!(rr.partition(10), Ok(Partition(0))); // i32::MIN & 0x7fffffff = 0
        assert_eq!(rr.partition(10), Ok(Partition(1)));
    }

    #[test]
    fn sticky_stays_for_a_batch_then_moves_to_the_next_partition() {
        let mut sticky = KeylessPartitioner::new(KeylessStrategy::Sticky);
        assert_eq!(sticky.strategy(), KeylessStrategy::Sticky);
        let mut batches = Vec::new();
        for _ in 0..5 {
            let first = sticky.partition(3).unwrap();
            for _ in 0..4 {
                assert_eq!(sticky.partition(3), Ok(first));
            }
            sticky.batch_complete();
            batches.push(first.0);
        }
        assert_eq!(batches, [0, 1, 2, 0, 1]);
        // Completing a batch twice, or with no open batch, does not skip a partition.
        sticky.batch_complete();
        assert_eq!(sticky.partition(3), Ok(Partition(2)));
    }

    #[test]
    fn sticky_follows_a_changing_partition_count() {
        let mut sticky = KeylessPartitioner::starting_at(KeylessStrategy::Sticky, 5);
        assert_eq!(sticky.partition(4), Ok(Partition(1))); // 5 % 4
        // Partitions added: the open batch stays where it is.
        assert_eq!(sticky.partition(8), Ok(Partition(1)));
        sticky.batch_complete();
        assert_eq!(sticky.partition(8), Ok(Partition(2)));
        // A count that no longer includes the open partition moves it into range.
        assert_eq!(sticky.partition(2), Ok(Partition(0)));
        assert_eq!(sticky.partition(0), Err(PartitionerError::NoPartitions));
        assert_eq!(sticky.partition(2), Ok(Partition(0)));
    }
}
