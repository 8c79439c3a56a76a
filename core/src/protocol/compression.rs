//! Compressing the records section of a v2 batch with the producer's codec and level.
//!
//! Owns the codec choice and Java's level rules (KIP-390): gzip through zlib (`flate2`), LZ4
//! frames through liblz4 with 64 KiB independent blocks and no content checksum (Java's
//! default level 9 selects the fast compressor, as kafka-clients does; any other level
//! LZ4-HC), zstd through libzstd, and snappy in the xerial framing Kafka uses (through
//! `kafka-protocol`). It must not build batch headers or decide what goes into a batch.

use std::io::Write;

use bytes::{BufMut, BytesMut};
use kafka_protocol::compression::{Compressor, Snappy};

use crate::config::{CompressionLevels, CompressionType};
use crate::error::{Error, Result};

/// Java's default `compression.lz4.level`: kafka-clients uses LZ4's fast compressor for it.
const LZ4_DEFAULT_LEVEL: i32 = 9;

/// A codec with the levels configured for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    pub codec: CompressionType,
    pub levels: CompressionLevels,
}

impl From<CompressionType> for Compression {
    /// The codec at Java's default level.
    fn from(codec: CompressionType) -> Self {
        Compression {
            codec,
            levels: CompressionLevels::default(),
        }
    }
}

impl Compression {
    /// The codec's bits in a batch's attributes.
    pub fn attribute_bits(&self) -> i16 {
        match self.codec {
            CompressionType::None => 0,
            CompressionType::Gzip => 1,
            CompressionType::Snappy => 2,
            CompressionType::Lz4 => 3,
            CompressionType::Zstd => 4,
        }
    }

    /// Appends `input`, compressed, to `out`.
    pub fn compress(&self, input: &[u8], out: &mut BytesMut) -> Result<()> {
        let failed = |e: &dyn std::fmt::Display| {
            Error::internal(format!("compressing a batch with {:?}: {e}", self.codec))
        };
        match self.codec {
            CompressionType::None => out.put_slice(input),
            CompressionType::Gzip => {
                let level = match self.levels.gzip {
                    -1 => flate2::Compression::default(),
                    l => flate2::Compression::new(l.clamp(1, 9) as u32),
                };
                let mut enc = flate2::write::GzEncoder::new(out.writer(), level);
                enc.write_all(input).map_err(|e| failed(&e))?;
                enc.finish().map_err(|e| failed(&e))?;
            }
            CompressionType::Snappy => {
                Snappy::compress(out, |tmp: &mut BytesMut| {
                    tmp.put_slice(input);
                    Ok(())
                })
                .map_err(|e| failed(&e))?;
            }
            CompressionType::Lz4 => {
                // liblz4's frame API: level 0 is the fast compressor, 3-12 LZ4-HC.
                let level = match self.levels.lz4 {
                    LZ4_DEFAULT_LEVEL => 0,
                    l => l.clamp(1, 12) as u32,
                };
                let mut enc = lz4::EncoderBuilder::new()
                    .level(level)
                    .block_size(lz4::BlockSize::Max64KB)
                    .block_mode(lz4::BlockMode::Independent)
                    // Like kafka-clients and librdkafka: no content checksum (every batch has
                    // its CRC-32C already).
                    .checksum(lz4::ContentChecksum::NoChecksum)
                    .build(out.writer())
                    .map_err(|e| failed(&e))?;
                enc.write_all(input).map_err(|e| failed(&e))?;
                let (_, res) = enc.finish();
                res.map_err(|e| failed(&e))?;
            }
            CompressionType::Zstd => {
                let mut enc = zstd::stream::Encoder::new(out.writer(), self.levels.zstd)
                    .map_err(|e| failed(&e))?;
                enc.write_all(input).map_err(|e| failed(&e))?;
                enc.finish().map_err(|e| failed(&e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use kafka_protocol::compression::{Decompressor, Gzip, Lz4, Zstd};

    fn decompress(codec: CompressionType, data: Bytes) -> Vec<u8> {
        let mut buf = data;
        let take = |b: &mut Bytes| Ok(b.to_vec());
        match codec {
            CompressionType::None => buf.to_vec(),
            CompressionType::Gzip => Gzip::decompress(&mut buf, take).unwrap(),
            CompressionType::Snappy => Snappy::decompress(&mut buf, take).unwrap(),
            CompressionType::Lz4 => Lz4::decompress(&mut buf, take).unwrap(),
            CompressionType::Zstd => Zstd::decompress(&mut buf, take).unwrap(),
        }
    }

    #[test]
    fn every_codec_and_level_round_trips() {
        // Larger than one 64 KiB LZ4 block, compressible and not.
        let mut input: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        input.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let cases = [
            (CompressionType::None, CompressionLevels::default()),
            (CompressionType::Gzip, CompressionLevels::default()),
            (
                CompressionType::Gzip,
                CompressionLevels {
                    gzip: 1,
                    ..Default::default()
                },
            ),
            (CompressionType::Snappy, CompressionLevels::default()),
            (CompressionType::Lz4, CompressionLevels::default()),
            (
                CompressionType::Lz4,
                CompressionLevels {
                    lz4: 17,
                    ..Default::default()
                },
            ),
            (CompressionType::Zstd, CompressionLevels::default()),
            (
                CompressionType::Zstd,
                CompressionLevels {
                    zstd: -3,
                    ..Default::default()
                },
            ),
        ];
        for (codec, levels) in cases {
            let c = Compression { codec, levels };
            let mut out = BytesMut::from(&b"hdr"[..]);
            c.compress(&input, &mut out).unwrap();
            assert_eq!(&out[..3], b"hdr", "{codec:?} must append");
            let body = out.freeze().slice(3..);
            if codec != CompressionType::None {
                assert!(
                    body.len() < input.len(),
                    "{codec:?} {levels:?} did not compress"
                );
            }
            assert_eq!(decompress(codec, body), input, "{codec:?} {levels:?}");
        }
    }

    #[test]
    fn higher_lz4_level_compresses_better() {
        let input: Vec<u8> = (0..64_000u32)
            .map(|i| {
                b"the quick brown fox jumps over the lazy dog"[(i % 43) as usize] ^ (i % 7) as u8
            })
            .collect();
        let size = |lz4: i32| {
            let mut out = BytesMut::new();
            Compression {
                codec: CompressionType::Lz4,
                levels: CompressionLevels {
                    lz4,
                    ..Default::default()
                },
            }
            .compress(&input, &mut out)
            .unwrap();
            out.len()
        };
        assert!(size(12) < size(9), "HC {} vs fast {}", size(12), size(9));
    }
}
