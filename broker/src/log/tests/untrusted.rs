//! Mutated produce payloads and damaged files: errors, never panics, and the log stays readable.

use std::os::unix::fs::FileExt;

use super::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn recrc(batch: &mut [u8]) {
    if batch.len() > 21 {
        let crc = crc32c::crc32c(&batch[21..]);
        batch[17..21].copy_from_slice(&crc.to_be_bytes());
    }
}

#[test]
fn mutated_batches_are_refused_or_stored_whole_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let originals: Vec<Vec<u8>> = ALL_CODECS
        .iter()
        .map(|c| Spec::records(5).codec(*c).value_len(30).encode())
        .collect();
    let mut accepted = 0;
    for round in 0..3000 {
        let mut batch = originals[round % originals.len()].clone();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(batch.len());
            batch[at] = rng.next() as u8;
        }
        if rng.below(4) == 0 {
            batch.truncate(rng.below(batch.len() + 1));
        }
        if rng.below(2) == 0 {
            recrc(&mut batch); // get past the CRC so the record walk sees the damage
        }
        if log.append(&batch, 0, NOW).is_ok() {
            accepted += 1;
        }
    }
    assert!(accepted < 3000);
    // Whatever was accepted is whole, valid v2 data that kafka-protocol decodes.
    let records = read_all(&log, 0);
    assert_eq!(records.len() as i64, log.log_end_offset());
}

#[test]
fn random_damage_to_segment_files_is_recovered_on_reopen() {
    let mut rng = Rng(0xfeed_beef_0000_0042);
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let mut log = open(dir.path(), small_segments());
        append_n(&mut log, 30, &Spec::records(3).value_len(50));
        drop(log);
        for name in files_with_ext(dir.path(), "log")
            .into_iter()
            .chain(files_with_ext(dir.path(), "index"))
            .chain(files_with_ext(dir.path(), "timeindex"))
        {
            if rng.below(3) != 0 {
                continue;
            }
            let path = dir.path().join(name);
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            let garbage: Vec<u8> = (0..1 + rng.below(40)).map(|_| rng.next() as u8).collect();
            file.write_all_at(&garbage, rng.below(len + 1) as u64)
                .unwrap();
        }
        let log = open(dir.path(), small_segments());
        let end = log.log_end_offset();
        assert!(end <= 90, "round {round}");
        assert_eq!(
            read_all(&log, log.log_start_offset()).len() as i64,
            end - log.log_start_offset(),
            "round {round}"
        );
    }
}
