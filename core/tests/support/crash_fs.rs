//! `CrashFs`: an in-memory file system for `FileStorage` that keeps what was written apart
//! from what was synced, so a test can simulate a crash: every file keeps its synced bytes and
//! whatever part of the rest the test chooses (cut at any byte, garbage appended).
//!
//! Folder operations (create, rename, remove) take effect at once and survive a crash, as
//! they do on a journalling file system once the folder is synced; file contents survive only
//! up to the last `sync`, which is what makes write-then-rename without a sync unsafe here.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use brokerlab::storage::{Fs, FsFile, temporary};

/// One file's bytes and how many of them are synced.
#[derive(Debug, Clone, Default)]
pub struct FileData {
    pub data: Vec<u8>,
    pub synced: usize,
}

#[derive(Debug, Default)]
struct State {
    files: BTreeMap<PathBuf, FileData>,
    dirs: BTreeSet<PathBuf>,
    syncs: u64,
}

/// The file system; clones share it.
#[derive(Debug, Clone, Default)]
pub struct CrashFs(Arc<Mutex<State>>);

/// A file handle of a [`CrashFs`].
#[derive(Debug)]
pub struct CrashFile {
    fs: CrashFs,
    path: PathBuf,
}

fn not_found() -> io::Error {
    io::ErrorKind::NotFound.into()
}

impl CrashFs {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The files and their state.
    pub fn files(&self) -> BTreeMap<PathBuf, FileData> {
        self.lock().files.clone()
    }

    /// How many syncs of files happened.
    pub fn syncs(&self) -> u64 {
        self.lock().syncs
    }

    /// A new file system holding what a crash leaves: for each file, `keep(path, data)`
    /// returns its content after the crash (it must start with the synced bytes to be
    /// faithful; the test chooses).
    pub fn crash(&self, mut keep: impl FnMut(&Path, &FileData) -> Vec<u8>) -> CrashFs {
        let s = self.lock();
        let files = s
            .files
            .iter()
            .map(|(p, f)| {
                let data = keep(p, f);
                let synced = data.len();
                (p.clone(), FileData { data, synced })
            })
            .collect();
        CrashFs(Arc::new(Mutex::new(State {
            files,
            dirs: s.dirs.clone(),
            syncs: 0,
        })))
    }

    /// The crash that loses everything not synced.
    pub fn crash_unsynced(&self) -> CrashFs {
        self.crash(|_, f| f.data[..f.synced].to_vec())
    }
}

impl FsFile for CrashFile {
    fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()> {
        let s = self.fs.lock();
        let f = s.files.get(&self.path).ok_or_else(not_found)?;
        let start =
            usize::try_from(pos).map_err(|_| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        let src = f
            .data
            .get(start..start + buf.len())
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut s = self.fs.lock();
        let f = s.files.get_mut(&self.path).ok_or_else(not_found)?;
        f.data.extend_from_slice(buf);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut s = self.fs.lock();
        s.syncs += 1;
        let f = s.files.get_mut(&self.path).ok_or_else(not_found)?;
        f.synced = f.data.len();
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut s = self.fs.lock();
        let f = s.files.get_mut(&self.path).ok_or_else(not_found)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        f.data.truncate(len);
        f.synced = f.synced.min(len);
        Ok(())
    }

    fn size(&self) -> io::Result<u64> {
        let s = self.fs.lock();
        Ok(s.files.get(&self.path).ok_or_else(not_found)?.data.len() as u64)
    }
}

impl Fs for CrashFs {
    type File = CrashFile;
    type Lock = ();

    fn lock(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.lock();
        for a in dir.ancestors() {
            s.dirs.insert(a.to_path_buf());
        }
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let s = self.lock();
        if !s.dirs.contains(dir) {
            return Err(not_found());
        }
        let names = s
            .files
            .keys()
            .chain(s.dirs.iter())
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name()?.to_str().map(String::from))
            .collect();
        Ok(names)
    }

    fn open(&self, path: &Path, create: bool) -> io::Result<CrashFile> {
        let mut s = self.lock();
        if !s.files.contains_key(path) {
            if !create {
                return Err(not_found());
            }
            s.files.insert(path.to_path_buf(), FileData::default());
        }
        Ok(CrashFile {
            fs: self.clone(),
            path: path.to_path_buf(),
        })
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let s = self.lock();
        Ok(s.files.get(path).ok_or_else(not_found)?.data.clone())
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
        let mut s = self.lock();
        let tmp = temporary(path);
        let synced = if sync { bytes.len() } else { 0 };
        s.files.insert(
            tmp.clone(),
            FileData {
                data: bytes.to_vec(),
                synced,
            },
        );
        let f = s.files.remove(&tmp).ok_or_else(not_found)?;
        s.files.insert(path.to_path_buf(), f);
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.lock()
            .files
            .remove(path)
            .map(|_| ())
            .ok_or_else(not_found)
    }

    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.lock();
        s.files.retain(|p, _| !p.starts_with(dir));
        s.dirs.retain(|p| !p.starts_with(dir));
        Ok(())
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }
}
