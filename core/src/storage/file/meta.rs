//! Metadata values as one small file each, named by the escaped key and holding the value
//! and its CRC-32C.

use std::io;
use std::path::Path;
use std::string::String;
use std::vec::Vec;

use std::collections::BTreeMap;

use super::crc32c;
use super::fs::Fs;

/// The file name of a key: ASCII letters, digits, `-`, `_` and `.` as they are, every other
/// byte as `%XX`.
pub(super) fn file_name(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 8);
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            name.push(char::from(b));
        } else {
            name.push_str(&std::format!("%{b:02X}"));
        }
    }
    name
}

/// The key of a file name, if it is one [`file_name`] makes.
pub(super) fn key_of(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = core::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Writes one value crash-safely.
pub(super) fn save<F: Fs>(
    fs: &F,
    dir: &Path,
    key: &str,
    value: &[u8],
    sync: bool,
) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(value.len() + 4);
    bytes.extend_from_slice(value);
    bytes.extend_from_slice(&crc32c::checksum(value).to_le_bytes());
    fs.write_atomic(&dir.join(file_name(key)), &bytes, sync)
}

/// Removes one value.
pub(super) fn remove<F: Fs>(fs: &F, dir: &Path, key: &str, sync: bool) -> io::Result<()> {
    match fs.remove_file(&dir.join(file_name(key))) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    if sync {
        fs.sync_dir(dir)?;
    }
    Ok(())
}

/// Metadata values by key.
pub(super) type Values = BTreeMap<String, Vec<u8>>;

/// Every value in `dir`, and the keys whose file failed its checksum (those files are
/// removed, as are leftover temporary files).
pub(super) fn load<F: Fs>(fs: &F, dir: &Path) -> io::Result<(Values, Vec<String>)> {
    let mut values = BTreeMap::new();
    let mut dropped = Vec::new();
    for name in fs.list(dir)? {
        let path = dir.join(&name);
        if name.ends_with(".tmp") {
            fs.remove_file(&path)?;
            continue;
        }
        let Some(key) = key_of(&name) else { continue };
        let bytes = fs.read(&path)?;
        let whole = bytes
            .len()
            .checked_sub(4)
            .map(|n| bytes.split_at(n))
            .filter(|(value, crc)| *crc == crc32c::checksum(value).to_le_bytes());
        match whole {
            Some((value, _)) => {
                values.insert(key, value.to_vec());
            }
            None => {
                fs.remove_file(&path)?;
                dropped.push(key);
            }
        }
    }
    dropped.sort();
    Ok((values, dropped))
}
