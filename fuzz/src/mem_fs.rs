//! [`MemFs`]: a file system in memory for [`FileStorage`](brokerlab::storage::FileStorage),
//! so the `file_storage` target lays its input out as files without touching the disk, and
//! the seed generator reads back what a real storage wrote.
//!
//! Everything written is kept (no crash simulation: the input itself is what a crash, a bad
//! disk or a hostile hand left). Folders exist when something was created in them.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use brokerlab::storage::{Fs, FsFile};

#[derive(Debug, Default)]
struct State {
    files: BTreeMap<PathBuf, Vec<u8>>,
    dirs: BTreeSet<PathBuf>,
}

/// The file system; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemFs(Arc<Mutex<State>>);

/// A file of a [`MemFs`].
#[derive(Debug)]
pub struct MemFile {
    fs: MemFs,
    path: PathBuf,
}

fn not_found() -> io::Error {
    io::ErrorKind::NotFound.into()
}

impl MemFs {
    /// A file system holding `files` (their folders are created).
    #[must_use]
    pub fn with_files(files: impl IntoIterator<Item = (PathBuf, Vec<u8>)>) -> Self {
        let fs = MemFs::default();
        {
            let mut s = fs.state();
            for (path, bytes) in files {
                if let Some(parent) = path.parent() {
                    for a in parent.ancestors() {
                        s.dirs.insert(a.to_path_buf());
                    }
                }
                s.files.insert(path, bytes);
            }
        }
        fs
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every file and its bytes.
    #[must_use]
    pub fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        self.state().files.clone()
    }
}

impl FsFile for MemFile {
    fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()> {
        let s = self.fs.state();
        let data = s.files.get(&self.path).ok_or_else(not_found)?;
        let eof = || io::Error::from(io::ErrorKind::UnexpectedEof);
        let start = usize::try_from(pos).map_err(|_| eof())?;
        let end = start.checked_add(buf.len()).ok_or_else(eof)?;
        buf.copy_from_slice(data.get(start..end).ok_or_else(eof)?);
        Ok(())
    }

    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut s = self.fs.state();
        s.files
            .get_mut(&self.path)
            .ok_or_else(not_found)?
            .extend_from_slice(buf);
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut s = self.fs.state();
        let data = s.files.get_mut(&self.path).ok_or_else(not_found)?;
        data.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }

    fn size(&self) -> io::Result<u64> {
        let s = self.fs.state();
        Ok(s.files.get(&self.path).ok_or_else(not_found)?.len() as u64)
    }
}

impl Fs for MemFs {
    type File = MemFile;
    type Lock = ();

    fn lock(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.state();
        if s.files.contains_key(dir) {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        for a in dir.ancestors() {
            s.dirs.insert(a.to_path_buf());
        }
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let s = self.state();
        if !s.dirs.contains(dir) {
            return Err(not_found());
        }
        Ok(s.files
            .keys()
            .chain(s.dirs.iter())
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name()?.to_str().map(String::from))
            .collect())
    }

    fn open(&self, path: &Path, create: bool) -> io::Result<MemFile> {
        let mut s = self.state();
        if s.dirs.contains(path) {
            return Err(io::ErrorKind::IsADirectory.into());
        }
        if !s.files.contains_key(path) {
            if !create {
                return Err(not_found());
            }
            s.files.insert(path.to_path_buf(), Vec::new());
        }
        Ok(MemFile {
            fs: self.clone(),
            path: path.to_path_buf(),
        })
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let s = self.state();
        if s.dirs.contains(path) {
            return Err(io::ErrorKind::IsADirectory.into());
        }
        s.files.get(path).cloned().ok_or_else(not_found)
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8], _sync: bool) -> io::Result<()> {
        let mut s = self.state();
        if s.dirs.contains(path) {
            return Err(io::ErrorKind::IsADirectory.into());
        }
        s.files.insert(path.to_path_buf(), bytes.to_vec());
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.state()
            .files
            .remove(path)
            .map(drop)
            .ok_or_else(not_found)
    }

    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.state();
        s.files.retain(|p, _| !p.starts_with(dir));
        s.dirs.retain(|p| !p.starts_with(dir));
        Ok(())
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }
}
