//! The file system under a [`FileStorage`](super::FileStorage): a narrow trait, the real one
//! ([`StdFs`]) and room for a test double that can lose what was not synced.
//!
//! `FileStorage` needs little: folders, append-only files read at positions, `sync`,
//! truncation, and the write-a-temporary-file-then-rename dance for small files. Keeping it
//! behind [`Fs`] lets tests run the very same storage code over a file system that simulates a
//! crash: everything written but not synced may be cut at any byte.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::string::String;
use std::vec::Vec;

/// A file open for reading at positions and appending at its end.
pub trait FsFile: Send {
    /// Fills `buf` from position `pos`; fails with [`io::ErrorKind::UnexpectedEof`] past the
    /// end.
    ///
    /// # Errors
    /// The medium's.
    fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()>;

    /// Appends `buf` at the end.
    ///
    /// # Errors
    /// The medium's; part of `buf` may have been written.
    fn append(&mut self, buf: &[u8]) -> io::Result<()>;

    /// Makes everything appended so far durable (`fdatasync`).
    ///
    /// # Errors
    /// The medium's.
    fn sync(&mut self) -> io::Result<()>;

    /// Cuts the file to `len` bytes.
    ///
    /// # Errors
    /// The medium's.
    fn truncate(&mut self, len: u64) -> io::Result<()>;

    /// The file's length in bytes.
    ///
    /// # Errors
    /// The medium's.
    fn size(&self) -> io::Result<u64>;
}

/// The operations on folders and whole files a [`FileStorage`](super::FileStorage) uses.
pub trait Fs: Send {
    /// The file handle type.
    type File: FsFile;
    /// What [`lock`](Self::lock) returns; dropping it releases the lock.
    type Lock: Send + core::fmt::Debug;

    /// Takes an exclusive lock on `path` (created if missing) for as long as the returned
    /// value lives, so two storages never share a folder.
    ///
    /// # Errors
    /// [`io::ErrorKind::WouldBlock`] if another holder has it; the medium's.
    fn lock(&self, path: &Path) -> io::Result<Self::Lock>;

    /// Creates `dir` and its parents.
    ///
    /// # Errors
    /// The medium's.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;

    /// The names of the entries of `dir`, in no particular order.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`] if `dir` does not exist; the medium's.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;

    /// Opens `path` for reading and appending, creating it (empty) when `create` is set.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`] if it is missing and `create` is not set; the medium's.
    fn open(&self, path: &Path, create: bool) -> io::Result<Self::File>;

    /// The whole content of `path`.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`]; the medium's.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Writes `path` whole and replaces what was there: the bytes go to a new file beside it,
    /// which is synced (when `sync` is set) and then renamed over `path`, and the folder is
    /// synced, so after a crash `path` holds the old content or the new, never a mix.
    ///
    /// # Errors
    /// The medium's; `path` is unchanged.
    fn write_atomic(&self, path: &Path, bytes: &[u8], sync: bool) -> io::Result<()>;

    /// Removes a file.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`]; the medium's.
    fn remove_file(&self, path: &Path) -> io::Result<()>;

    /// Removes a folder and everything in it.
    ///
    /// # Errors
    /// The medium's.
    fn remove_dir_all(&self, dir: &Path) -> io::Result<()>;

    /// Makes the entries of `dir` (files created, renamed or removed in it) durable.
    ///
    /// # Errors
    /// The medium's.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The operating system's file system (`std::fs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct StdFs;

/// A [`File`] opened by [`StdFs`].
#[derive(Debug)]
pub struct StdFile(File);

impl FsFile for StdFile {
    #[cfg(unix)]
    fn read_exact_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.0, buf, pos)
    }

    #[cfg(windows)]
    fn read_exact_at(&self, mut buf: &mut [u8], mut pos: u64) -> io::Result<()> {
        use std::os::windows::fs::FileExt;
        while !buf.is_empty() {
            match self.0.seek_read(buf, pos)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => {
                    buf = &mut buf[n..];
                    pos += n as u64;
                }
            }
        }
        Ok(())
    }

    fn append(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
}

impl Fs for StdFs {
    type File = StdFile;
    type Lock = File;

    fn lock(&self, path: &Path) -> io::Result<File> {
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match f.try_lock() {
            Ok(()) => Ok(f),
            Err(std::fs::TryLockError::WouldBlock) => Err(io::ErrorKind::WouldBlock.into()),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            if let Ok(name) = entry?.file_name().into_string() {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn open(&self, path: &Path, create: bool) -> io::Result<StdFile> {
        OpenOptions::new()
            .read(true)
            .append(true)
            .create(create)
            .open(path)
            .map(StdFile)
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
        let tmp = temporary(path);
        let result = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            if sync {
                f.sync_data()?;
            }
            fs::rename(&tmp, path)?;
            if sync && let Some(dir) = path.parent() {
                self.sync_dir(dir)?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::remove_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// The temporary file [`Fs::write_atomic`] writes before renaming: `<name>.tmp` beside it.
/// Recovery removes leftovers of this shape.
#[must_use]
pub fn temporary(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
