//! CRC-32C (Castagnoli), the checksum of every record batch and metadata file.
//!
//! Slicing-by-8 over tables built at compile time, without any CPU feature detection (the
//! crate forbids `unsafe`, which the CRC instruction would need). One slicing-by-8 chain waits
//! on its own table loads, so long inputs are cut into blocks of three 256-byte lanes checked
//! side by side and joined by shifting each lane's CRC over the bytes after it: about 2.3–2.5
//! times the speed of a single chain (`--profile crc` of the `file_storage` bench). Check
//! value (RFC 3720, B.4): the CRC of `"123456789"` is `0xE3069283`.

/// The reflected Castagnoli polynomial.
const POLY: u32 = 0x82F6_3B78;

const fn tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut s = 1;
        while s < 8 {
            let prev = t[s - 1][i];
            t[s][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            s += 1;
        }
        i += 1;
    }
    t
}

static TABLES: [[u32; 256]; 8] = tables();

/// Bytes of each of the three lanes of a block.
const LANE: usize = 256;

/// `a * b` modulo the polynomial, both in the reflected form of the CRC register (bit 31 is
/// `x^0`).
const fn mul_mod_poly(a: u32, mut b: u32) -> u32 {
    let mut product = 0;
    let mut m = 1u32 << 31;
    while m != 0 {
        if a & m != 0 {
            product ^= b;
        }
        b = if b & 1 == 1 { (b >> 1) ^ POLY } else { b >> 1 };
        m >>= 1;
    }
    product
}

/// `x^(8 n)` modulo the polynomial: what advancing a register over `n` zero bytes multiplies
/// it by.
const fn zero_bytes_factor(mut n: usize) -> u32 {
    let mut factor = 1u32 << 31; // x^0
    let mut square = 1u32 << 23; // x^8
    while n > 0 {
        if n & 1 == 1 {
            factor = mul_mod_poly(square, factor);
        }
        square = mul_mod_poly(square, square);
        n >>= 1;
    }
    factor
}

/// `SHIFT[k][b]`: the register `b << 8k` advanced over [`LANE`] zero bytes. The advance is
/// linear, so a register's is the XOR of its four bytes'.
const fn shift_tables() -> [[u32; 256]; 4] {
    let factor = zero_bytes_factor(LANE);
    let mut t = [[0u32; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut i = 0;
        while i < 256 {
            t[k][i] = mul_mod_poly(factor, (i as u32) << (8 * k));
            i += 1;
        }
        k += 1;
    }
    t
}

static SHIFT: [[u32; 256]; 4] = shift_tables();

/// The register `c` advanced over [`LANE`] zero bytes.
#[inline(always)]
fn shift_lane(c: u32) -> u32 {
    let s = &SHIFT;
    s[0][(c & 0xFF) as usize]
        ^ s[1][((c >> 8) & 0xFF) as usize]
        ^ s[2][((c >> 16) & 0xFF) as usize]
        ^ s[3][(c >> 24) as usize]
}

/// The register `c` advanced over 8 bytes.
#[inline(always)]
fn step8(c: u32, b: &[u8]) -> u32 {
    let t = &TABLES;
    let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let hi = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    t[7][(lo & 0xFF) as usize]
        ^ t[6][((lo >> 8) & 0xFF) as usize]
        ^ t[5][((lo >> 16) & 0xFF) as usize]
        ^ t[4][(lo >> 24) as usize]
        ^ t[3][(hi & 0xFF) as usize]
        ^ t[2][((hi >> 8) & 0xFF) as usize]
        ^ t[1][((hi >> 16) & 0xFF) as usize]
        ^ t[0][(hi >> 24) as usize]
}

/// Continues a CRC-32C over `bytes`; start with `0`.
#[must_use]
pub fn update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    // Blocks of three lanes: the first continues `c`, the others start from zero, and the
    // register of the whole block is (a advanced over the 2 lanes after it) ^ (b advanced
    // over 1) ^ d, the CRC being linear.
    let mut blocks = bytes.chunks_exact(3 * LANE);
    for block in &mut blocks {
        let (a, rest) = block.split_at(LANE);
        let (b, d) = rest.split_at(LANE);
        let (mut ca, mut cb, mut cd) = (c, 0, 0);
        for ((x, y), z) in a
            .chunks_exact(8)
            .zip(b.chunks_exact(8))
            .zip(d.chunks_exact(8))
        {
            ca = step8(ca, x);
            cb = step8(cb, y);
            cd = step8(cd, z);
        }
        c = shift_lane(shift_lane(ca) ^ cb) ^ cd;
    }
    let mut chunks = blocks.remainder().chunks_exact(8);
    for b in &mut chunks {
        c = step8(c, b);
    }
    let t = &TABLES;
    for &b in chunks.remainder() {
        c = (c >> 8) ^ t[0][((c ^ u32::from(b)) & 0xFF) as usize];
    }
    !c
}

/// The CRC-32C of `bytes`.
#[must_use]
pub fn checksum(bytes: &[u8]) -> u32 {
    update(0, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitwise(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn known_vectors() {
        assert_eq!(checksum(b"123456789"), 0xE306_9283);
        assert_eq!(checksum(b""), 0);
        // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
        assert_eq!(checksum(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(checksum(&[0xFFu8; 32]), 0x62A8_AB43);
    }

    #[test]
    fn sliced_equals_bitwise_and_updates_compose() {
        let data: alloc::vec::Vec<u8> = (0..1000u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 999, 1000] {
            assert_eq!(checksum(&data[..len]), bitwise(&data[..len]), "len {len}");
        }
        let split = update(update(0, &data[..333]), &data[333..]);
        assert_eq!(split, checksum(&data));
    }

    #[test]
    fn lanes_equal_bitwise_around_block_boundaries() {
        let data: alloc::vec::Vec<u8> = (0..20_000u32).map(|i| (i * 131 + i / 7) as u8).collect();
        let block = 3 * LANE;
        let mut lens = alloc::vec![20_000, 12_345];
        for k in 1..6 {
            for d in [0, 1, 7, 8, 9] {
                lens.push(k * block + d);
                lens.push(k * block - d);
            }
        }
        for len in lens {
            let want = bitwise(&data[..len]);
            assert_eq!(checksum(&data[..len]), want, "len {len}");
            for cut in [1, LANE, block - 3, block + 5] {
                if cut < len {
                    let split = update(update(0, &data[..cut]), &data[cut..len]);
                    assert_eq!(split, want, "len {len} cut {cut}");
                }
            }
        }
    }

    #[test]
    fn shift_tables_advance_over_zero_bytes() {
        for r in [1u32, 0x8000_0000, 0xDEAD_BEEF, 0x1234_5678, u32::MAX] {
            let mut c = r;
            for _ in 0..LANE {
                c = (c >> 8) ^ TABLES[0][(c & 0xFF) as usize];
            }
            assert_eq!(shift_lane(r), c, "register {r:#x}");
        }
    }
}
