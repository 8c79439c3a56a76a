//! Opening a partition directory: find segments, load or recover each (full CRC recovery
//! after an unclean stop from the recovery point on), restore the log start offset, rebuild
//! producer state from the newest snapshot plus the batches after it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use tracing::{info, warn};

use super::checkpoint::{self, read_offset, write_offset};
use super::config::LogConfig;
use super::error::LogError;
use super::partition_log::PartitionLog;
use super::producer_state::ProducerStateManager;
use super::recovery::{load_segment, recover_segment};
use super::segment::Segment;

impl PartitionLog {
    /// Opens (creating if missing) the partition directory `dir`, recovering after an
    /// unclean stop.
    pub fn open(dir: &Path, config: LogConfig, now_ms: i64) -> Result<PartitionLog, LogError> {
        fs::create_dir_all(dir).map_err(|e| LogError::io("create", dir, e))?;
        let clean = checkpoint::has_clean_shutdown_marker(dir);
        let bases = list_segments(dir)?;
        let checkpointed_start = read_offset(dir, checkpoint::LOG_START_OFFSET_FILE)?;
        let recovery_point = if clean {
            i64::MAX
        } else {
            read_offset(dir, checkpoint::RECOVERY_POINT_FILE)?.unwrap_or(0)
        };
        if !clean && !bases.is_empty() {
            info!(dir = %dir.display(), recovery_point, "recovering partition log after an unclean shutdown");
        }

        let mut segments = BTreeMap::new();
        let mut previous_end = i64::MIN;
        for (i, &base) in bases.iter().enumerate() {
            let next_base = bases.get(i + 1).copied();
            let mut segment = Segment::open(dir, base, &config, now_ms, false)?;
            let past_recovery_point = !clean && next_base.is_none_or(|next| next > recovery_point);
            let loaded = !past_recovery_point && load_segment(&mut segment)?;
            let mut truncated = false;
            if !loaded {
                segment.dirty = true;
                truncated =
                    recover_segment(&mut segment, &config, previous_end)?.truncated_bytes > 0;
            }
            previous_end = segment.next_offset;
            segments.insert(base, segment);
            if truncated {
                for &later in &bases[i + 1..] {
                    warn!(dir = %dir.display(), base_offset = later, "deleting segment after a truncated one");
                    Segment::open(dir, later, &config, now_ms, false)?.delete_files()?;
                }
                break;
            }
        }

        let mut log = PartitionLog {
            dir: dir.to_path_buf(),
            config,
            segments,
            log_start_offset: 0,
            producers: ProducerStateManager::new(),
            recovery_point: -1,
            unflushed_messages: 0,
            first_unflushed_ms: now_ms,
        };
        if log.segments.is_empty() {
            let base = checkpointed_start.unwrap_or(0).max(0);
            let segment = Segment::open(dir, base, &log.config, now_ms, true)?;
            log.segments.insert(base, segment);
        }
        let first_base = log.segments.keys().next().copied().unwrap_or(0);
        let mut log_start = checkpointed_start.unwrap_or(first_base).max(first_base);
        if log_start > log.log_end_offset() {
            warn!(dir = %dir.display(), log_start, log_end = log.log_end_offset(),
                "records below the checkpointed log start offset are missing; starting empty there");
            for (_, segment) in std::mem::take(&mut log.segments) {
                segment.delete_files()?;
            }
            let segment = Segment::open(dir, log_start, &log.config, now_ms, true)?;
            log.segments.insert(log_start, segment);
        }
        log_start = log_start.max(log.segments.keys().next().copied().unwrap_or(0));
        log.log_start_offset = log_start;
        log.delete_segments_below_log_start()?;
        // A brand-new partition has nothing to make durable yet: creating many partitions
        // must not cost several fsyncs each.
        let brand_new = bases.is_empty() && checkpointed_start.is_none();
        if checkpointed_start != Some(log_start) && !brand_new {
            write_offset(dir, checkpoint::LOG_START_OFFSET_FILE, log_start)?;
        }

        log.rebuild_producer_state()?;
        checkpoint::remove_clean_shutdown_marker(dir)?;
        if clean {
            log.recovery_point = log.log_end_offset();
        } else if !brand_new {
            log.flush()?;
        }
        Ok(log)
    }

    /// Newest usable snapshot, then every batch header after it.
    fn rebuild_producer_state(&mut self) -> Result<(), LogError> {
        let log_end = self.log_end_offset();
        let (from, mut producers) =
            match ProducerStateManager::load_latest_snapshot(&self.dir, log_end)? {
                Some((offset, state)) => (offset, state),
                None => (i64::MIN, ProducerStateManager::new()),
            };
        for segment in self.segments.values() {
            if segment.next_offset <= from {
                continue;
            }
            let mut position = if from > segment.base_offset {
                segment.index.lookup(from)?.1
            } else {
                0
            };
            while let Some(header) = segment.header_at(position)? {
                if header.last_offset() >= from {
                    producers.replay(&header);
                }
                position += header.total_size() as u64;
            }
        }
        producers.remove_before(self.log_start_offset);
        self.producers = producers;
        Ok(())
    }
}

/// Base offsets of the `.log` files in `dir`; removes leftovers of interrupted operations.
fn list_segments(dir: &Path) -> Result<Vec<i64>, LogError> {
    let mut bases = Vec::new();
    let mut index_files = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| LogError::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LogError::io("list", dir, e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if [".tmp", ".deleted", ".cleaned", ".swap"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            fs::remove_file(&path).map_err(|e| LogError::io("delete", &path, e))?;
            continue;
        }
        let Some((stem, ext)) = name.split_once('.') else {
            continue;
        };
        let Ok(base) = stem.parse::<i64>() else {
            continue;
        };
        match ext {
            "log" => bases.push(base),
            "index" | "timeindex" => index_files.push((base, path.clone())),
            _ => {}
        }
    }
    bases.sort_unstable();
    for (base, path) in index_files {
        if bases.binary_search(&base).is_err() {
            fs::remove_file(&path).map_err(|e| LogError::io("delete", &path, e))?;
        }
    }
    Ok(bases)
}
