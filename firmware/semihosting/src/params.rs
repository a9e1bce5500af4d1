//! Parameter blocks and result conventions of the semihosting calls.

/// File open modes, in the order of their `SYS_OPEN` mode numbers (ISO C `fopen` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    Read,
    ReadBinary,
    ReadWrite,
    ReadWriteBinary,
    Write,
    WriteBinary,
    WriteRead,
    WriteReadBinary,
    Append,
    AppendBinary,
}

impl OpenMode {
    /// The mode number `SYS_OPEN` expects.
    pub fn number(self) -> usize {
        self as usize
    }
}

/// Why a semihosting request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A path was longer than the buffer it must be copied into (with its NUL).
    PathTooLong,
    /// A path contained a NUL byte, which would silently cut it short.
    PathContainsNul,
    /// The host refused the call; the value is the host's errno.
    Host(i32),
    /// The host returned text that is not UTF-8.
    NotUtf8,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::PathTooLong => f.write_str("path too long for the semihosting buffer"),
            Error::PathContainsNul => f.write_str("path contains a NUL byte"),
            Error::Host(errno) => write!(f, "host error (errno {errno})"),
            Error::NotUtf8 => f.write_str("host returned text that is not UTF-8"),
        }
    }
}

/// Copies `path` into `buffer` with a terminating NUL, as `SYS_OPEN` requires.
/// Returns the path length without the NUL.
pub fn nul_terminated(path: &str, buffer: &mut [u8]) -> Result<usize, Error> {
    let bytes = path.as_bytes();
    if bytes.contains(&0) {
        return Err(Error::PathContainsNul);
    }
    if bytes.len() + 1 > buffer.len() {
        return Err(Error::PathTooLong);
    }
    buffer[..bytes.len()].copy_from_slice(bytes);
    buffer[bytes.len()] = 0;
    Ok(bytes.len())
}

/// `SYS_EXIT_EXTENDED` block: the application exited with `code` (reaches the host as
/// QEMU's own exit status).
pub fn exit_block(code: i32) -> [usize; 2] {
    [
        crate::op::ADP_STOPPED_APPLICATION_EXIT,
        code as u32 as usize,
    ]
}

/// `SYS_READ` and `SYS_WRITE` return the number of bytes *not* transferred; this turns
/// that into the number transferred, rejecting impossible answers.
pub fn transferred(requested: usize, not_transferred: isize) -> Result<usize, Error> {
    if not_transferred < 0 || not_transferred as usize > requested {
        return Err(Error::Host(-1));
    }
    Ok(requested - not_transferred as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_modes_follow_the_specification_table() {
        assert_eq!(OpenMode::Read.number(), 0);
        assert_eq!(OpenMode::ReadBinary.number(), 1);
        assert_eq!(OpenMode::WriteBinary.number(), 5);
        assert_eq!(OpenMode::AppendBinary.number(), 9);
    }

    #[test]
    fn paths_are_nul_terminated() {
        let mut buffer = [0xFFu8; 8];
        assert_eq!(nul_terminated("a.bin", &mut buffer), Ok(5));
        assert_eq!(&buffer[..6], b"a.bin\0");
    }

    #[test]
    fn a_path_must_fit_with_its_nul() {
        let mut buffer = [0u8; 5];
        assert_eq!(
            nul_terminated("a.bin", &mut buffer),
            Err(Error::PathTooLong)
        );
        assert_eq!(
            nul_terminated("a\0b", &mut [0u8; 8]),
            Err(Error::PathContainsNul)
        );
    }

    #[test]
    fn exit_block_carries_the_code() {
        assert_eq!(exit_block(0), [0x20026, 0]);
        assert_eq!(exit_block(1), [0x20026, 1]);
        assert_eq!(exit_block(-1), [0x20026, 0xFFFF_FFFF]);
    }

    #[test]
    fn transfer_counts_are_inverted_and_checked() {
        assert_eq!(transferred(100, 0), Ok(100));
        assert_eq!(transferred(100, 40), Ok(60));
        assert!(transferred(100, 101).is_err());
        assert!(transferred(100, -1).is_err());
    }
}
