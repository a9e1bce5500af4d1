//! The safe device-side API: console, exit, command line and host files.

use crate::console::LineBuffer;
use crate::params::{self, Error, OpenMode};
use crate::sys;
use core::sync::atomic::{AtomicUsize, Ordering};

const NO_HANDLE: usize = usize::MAX;
static STDOUT: AtomicUsize = AtomicUsize::new(NO_HANDLE);
static STDERR: AtomicUsize = AtomicUsize::new(NO_HANDLE);

/// Handle of the host console (":tt"), opened once for writing (mode "w") or appending
/// ("a", which is how the specification names stderr).
fn console_handle(cache: &AtomicUsize, mode: OpenMode) -> usize {
    let handle = cache.load(Ordering::Relaxed);
    if handle != NO_HANDLE {
        return handle;
    }
    let opened = sys::open(b":tt\0", mode.number());
    let handle = if opened < 0 {
        NO_HANDLE
    } else {
        opened as usize
    };
    cache.store(handle, Ordering::Relaxed);
    handle
}

/// Writes all of `data` to an open handle (console or file).
fn write_all(handle: usize, mut data: &[u8]) -> Result<(), Error> {
    while !data.is_empty() {
        match params::transferred(data.len(), sys::write(handle, data))? {
            0 => return Err(Error::Host(sys::errno())),
            written => data = &data[written..],
        }
    }
    Ok(())
}

/// Console output is best effort: a host without a console loses the text, nothing else.
fn write_console(handle: usize, chunk: &[u8]) {
    if handle != NO_HANDLE {
        let _ = write_all(handle, chunk);
    }
}

/// A line-buffered writer to the host's standard output.
pub fn stdout() -> LineBuffer<impl FnMut(&[u8]), 128> {
    let handle = console_handle(&STDOUT, OpenMode::Write);
    LineBuffer::new(move |chunk: &[u8]| write_console(handle, chunk))
}

/// A line-buffered writer to the host's standard error.
pub fn stderr() -> LineBuffer<impl FnMut(&[u8]), 128> {
    let handle = console_handle(&STDERR, OpenMode::Append);
    LineBuffer::new(move |chunk: &[u8]| write_console(handle, chunk))
}

/// Prints to the host's standard output, with a newline.
#[macro_export]
macro_rules! hprintln {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let mut out = $crate::stdout();
        let _ = writeln!(out, $($arg)*);
    }};
}

/// Prints to the host's standard error, with a newline.
#[macro_export]
macro_rules! heprintln {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let mut out = $crate::stderr();
        let _ = writeln!(out, $($arg)*);
    }};
}

/// Ends the program; the host (QEMU) exits with `code`.
pub fn exit(code: i32) -> ! {
    sys::exit(params::exit_block(code));
    // Only reached on a host without semihosting exit support.
    loop {
        core::hint::spin_loop();
    }
}

/// The program's command line (QEMU's `-append`), read into `buffer`.
pub fn command_line(buffer: &mut [u8]) -> Result<&str, Error> {
    let (status, length) = sys::get_cmdline(buffer);
    if status != 0 {
        return Err(Error::Host(sys::errno()));
    }
    core::str::from_utf8(&buffer[..length]).map_err(|_| Error::NotUtf8)
}

/// A file on the host, closed when dropped.
pub struct File {
    handle: usize,
}

impl File {
    /// Opens `path` on the host; paths are limited to 511 bytes.
    pub fn open(path: &str, mode: OpenMode) -> Result<File, Error> {
        let mut name = [0u8; 512];
        let length = params::nul_terminated(path, &mut name)?;
        let handle = sys::open(&name[..=length], mode.number());
        if handle < 0 {
            return Err(Error::Host(sys::errno()));
        }
        Ok(File {
            handle: handle as usize,
        })
    }

    /// The file's length in bytes.
    pub fn len(&self) -> Result<usize, Error> {
        let length = sys::flen(self.handle);
        if length < 0 {
            return Err(Error::Host(sys::errno()));
        }
        Ok(length as usize)
    }

    /// Reads up to `buffer.len()` bytes; 0 means end of file.
    pub fn read(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        params::transferred(buffer.len(), sys::read(self.handle, buffer))
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    pub fn read_to_fill(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        let mut filled = 0;
        while filled < buffer.len() {
            match self.read(&mut buffer[filled..])? {
                0 => break,
                count => filled += count,
            }
        }
        Ok(filled)
    }

    /// Writes all of `data`.
    pub fn write_all(&mut self, data: &[u8]) -> Result<(), Error> {
        write_all(self.handle, data)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        sys::close(self.handle);
    }
}
