//! [`FlushProbe`]: memory storage whose `flush` can be made to fail and reports every call on
//! a channel (its outcome and the records held), so a test can wait for a flush made by
//! another thread without sleeping.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use brokerlab::{LogBounds, LogId, MemoryStorage, Offset, Record, Storage, StorageError};

/// What one flush reports: its outcome and how many records the storage held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    pub outcome: Result<(), StorageError>,
    pub records: usize,
}

/// Memory storage whose `flush` fails while `fail` is set; each flush sends a [`Flushed`].
pub struct FlushProbe {
    inner: MemoryStorage,
    pub fail: Arc<AtomicBool>,
    /// The highest message id appended before the last successful flush.
    pub durable_id: Arc<AtomicU64>,
    appended_id: u64,
    flushed: Sender<Flushed>,
}

impl FlushProbe {
    /// A probe and the receiving end of its flush reports.
    pub fn new() -> (FlushProbe, Receiver<Flushed>) {
        let (flushed, reports) = channel();
        let probe = FlushProbe {
            inner: MemoryStorage::new(),
            fail: Arc::default(),
            durable_id: Arc::default(),
            appended_id: 0,
            flushed,
        };
        (probe, reports)
    }
}

impl Storage for FlushProbe {
    fn create_log(&mut self, log: LogId) -> Result<(), StorageError> {
        self.inner.create_log(log)
    }
    fn delete_log(&mut self, log: LogId) -> Result<(), StorageError> {
        self.inner.delete_log(log)
    }
    fn append(&mut self, log: LogId, record: Record) -> Result<Offset, StorageError> {
        self.appended_id = self.appended_id.max(record.message.0);
        self.inner.append(log, record)
    }
    fn read(&self, log: LogId, offset: Offset) -> Result<Record, StorageError> {
        self.inner.read(log, offset)
    }
    fn drop_prefix(&mut self, log: LogId, before: Offset) -> Result<(), StorageError> {
        self.inner.drop_prefix(log, before)
    }
    fn bounds(&self, log: LogId) -> Result<LogBounds, StorageError> {
        self.inner.bounds(log)
    }
    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.inner.put_meta(key, value)
    }
    fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get_meta(key)
    }
    fn delete_meta(&mut self, key: &str) -> Result<(), StorageError> {
        self.inner.delete_meta(key)
    }
    fn flush(&mut self) -> Result<(), StorageError> {
        let outcome = if self.fail.load(Ordering::SeqCst) {
            Err(StorageError::Io)
        } else {
            Ok(())
        };
        if outcome.is_ok() {
            self.durable_id.store(self.appended_id, Ordering::SeqCst);
        }
        // Nobody listening is fine: the test may have finished with the reports.
        let _ = self.flushed.send(Flushed {
            outcome,
            records: self.inner.record_count(),
        });
        outcome
    }
}
