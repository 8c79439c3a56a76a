//! Record payloads like ProducerPerformance's `--record-size`: random upper-case ASCII letters,
//! a fresh payload per record (so compression sees the same entropy as Java's tool).
//!
//! Owns a small fast PRNG (xorshift64*); not for anything but filling payloads.

/// Generates payloads of a fixed size.
#[derive(Debug, Clone)]
pub struct PayloadGen {
    state: u64,
    size: usize,
}

impl PayloadGen {
    /// Payloads of `size` bytes from a fixed seed (runs are repeatable).
    pub fn new(size: usize) -> PayloadGen {
        PayloadGen {
            state: 0x9E37_79B9_7F4A_7C15,
            size,
        }
    }

    fn next(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A new payload: `size` letters `A`..=`Z`, uniformly random.
    pub fn payload(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size);
        while out.len() < self.size {
            let mut r = self.next();
            // Eight letters per 64-bit draw: (r & 0xff) * 26 >> 8 maps a byte onto 0..26.
            for _ in 0..8 {
                if out.len() == self.size {
                    break;
                }
                out.push(b'A' + (((r & 0xff) * 26) >> 8) as u8);
                r >>= 8;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_the_size_and_alphabet_and_differ() {
        let mut g = PayloadGen::new(100);
        let a = g.payload();
        let b = g.payload();
        assert_eq!(a.len(), 100);
        assert!(a.iter().all(|c| c.is_ascii_uppercase()));
        assert_ne!(a, b);
        let mut seen = [false; 26];
        for _ in 0..100 {
            for c in g.payload() {
                seen[usize::from(c - b'A')] = true;
            }
        }
        assert!(seen.iter().all(|s| *s), "every letter appears");
    }
}
