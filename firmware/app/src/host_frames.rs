//! Frames from host files over semihosting (QEMU): the files named on the command line
//! (after the program name, which semihosting puts first), then those listed one per
//! line in `--frame_list=FILE`.

use semihosting::params::OpenMode;
use semihosting::{cmdline, File};

use crate::frames::{FrameError, FrameSource};

/// Longest frame path (bytes); longer list lines are reported as unreadable frames.
const MAX_PATH: usize = 256;

/// Reads a list file line by line through a small window (no allocator, any length).
struct LineReader {
    file: File,
    window: [u8; 512],
    start: usize,
    end: usize,
    at_end: bool,
}

impl LineReader {
    fn new(file: File) -> Self {
        Self {
            file,
            window: [0; 512],
            start: 0,
            end: 0,
            at_end: false,
        }
    }

    /// Copies the next non-empty line into `line`; `Some(Err)` for an over-long line.
    fn next_line(&mut self, line: &mut [u8; MAX_PATH]) -> Option<Result<usize, ()>> {
        let mut length = 0;
        let mut too_long = false;
        loop {
            if self.start == self.end {
                if self.at_end {
                    return match (length, too_long) {
                        (0, false) => None,
                        (_, true) => Some(Err(())),
                        (length, false) => Some(Ok(length)),
                    };
                }
                self.start = 0;
                self.end = self.file.read(&mut self.window).unwrap_or(0);
                self.at_end = self.end == 0;
                continue;
            }
            let byte = self.window[self.start];
            self.start += 1;
            match byte {
                b'\n' | b'\r' if length == 0 && !too_long => {}
                b'\n' | b'\r' => return Some(if too_long { Err(()) } else { Ok(length) }),
                _ if length < MAX_PATH => {
                    line[length] = byte;
                    length += 1;
                }
                _ => too_long = true,
            }
        }
    }
}

pub struct HostFrames<'a> {
    /// Positional arguments of the command line still to read.
    arguments: core::iter::Filter<core::str::SplitAsciiWhitespace<'a>, fn(&&str) -> bool>,
    list: Option<LineReader>,
    name: [u8; MAX_PATH],
    name_length: usize,
}

fn positional(argument: &&str) -> bool {
    !argument.starts_with("--")
}

impl<'a> HostFrames<'a> {
    /// Frames named in `command_line`; a `--frame_list` that cannot be opened is an error.
    pub fn new(command_line: &'a str) -> Result<Self, &'a str> {
        let list = match cmdline::flag(command_line, "frame_list") {
            Some(path) => Some(LineReader::new(
                File::open(path, OpenMode::Read).map_err(|_| path)?,
            )),
            None => None,
        };
        let mut arguments = command_line
            .split_ascii_whitespace()
            .filter(positional as fn(&&str) -> bool);
        // The program's own name.
        arguments.next();
        Ok(Self {
            arguments,
            list,
            name: [0; MAX_PATH],
            name_length: 0,
        })
    }

    fn set_name(&mut self, name: &[u8]) {
        let length = name.len().min(MAX_PATH);
        self.name[..length].copy_from_slice(&name[..length]);
        self.name_length = length;
    }

    fn read(&self, frame: &mut [u8]) -> Result<(), FrameError> {
        let path = self.frame_name();
        let mut file = File::open(path, OpenMode::Read).map_err(|_| FrameError::Unreadable)?;
        let actual = file.len().map_err(|_| FrameError::Unreadable)?;
        if actual != frame.len() {
            return Err(FrameError::WrongSize {
                expected: frame.len(),
                actual,
            });
        }
        match file.read_to_fill(frame) {
            Ok(count) if count == frame.len() => Ok(()),
            _ => Err(FrameError::Unreadable),
        }
    }
}

impl FrameSource for HostFrames<'_> {
    fn next_frame(&mut self, frame: &mut [u8]) -> Option<Result<(), FrameError>> {
        if let Some(argument) = self.arguments.next() {
            self.set_name(argument.as_bytes());
        } else {
            let mut line = [0u8; MAX_PATH];
            match self.list.as_mut()?.next_line(&mut line)? {
                Ok(length) => self.set_name(&line[..length]),
                Err(()) => {
                    self.set_name(b"<a --frame_list line longer than 256 bytes>");
                    return Some(Err(FrameError::Unreadable));
                }
            }
        }
        Some(self.read(frame))
    }

    fn frame_name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_length]).unwrap_or("<non-UTF-8 path>")
    }
}
