//! Buffered console output: one host call per line instead of one per `write!` fragment.

use core::fmt;

/// Collects formatted text and hands it to `flush` in chunks of at most `N` bytes,
/// at every newline and when full.
pub struct LineBuffer<F: FnMut(&[u8]), const N: usize> {
    buffer: [u8; N],
    len: usize,
    flush: F,
}

impl<F: FnMut(&[u8]), const N: usize> LineBuffer<F, N> {
    pub fn new(flush: F) -> Self {
        Self {
            buffer: [0; N],
            len: 0,
            flush,
        }
    }

    /// Sends whatever is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            (self.flush)(&self.buffer[..self.len]);
            self.len = 0;
        }
    }
}

impl<F: FnMut(&[u8]), const N: usize> fmt::Write for LineBuffer<F, N> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for &byte in text.as_bytes() {
            if self.len == N {
                self.flush();
            }
            self.buffer[self.len] = byte;
            self.len += 1;
            if byte == b'\n' {
                self.flush();
            }
        }
        Ok(())
    }
}

impl<F: FnMut(&[u8]), const N: usize> Drop for LineBuffer<F, N> {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::LineBuffer;
    use core::fmt::Write;
    use std::vec::Vec;

    fn chunks_of(text: &str) -> Vec<Vec<u8>> {
        let mut chunks = Vec::new();
        {
            let mut out = LineBuffer::<_, 8>::new(|chunk: &[u8]| chunks.push(chunk.to_vec()));
            write!(out, "{}", text).unwrap();
        }
        chunks
    }

    #[test]
    fn flushes_at_each_newline_and_on_drop() {
        assert_eq!(chunks_of("ab\ncd"), [b"ab\n".to_vec(), b"cd".to_vec()]);
    }

    #[test]
    fn splits_lines_longer_than_the_buffer() {
        assert_eq!(
            chunks_of("0123456789\n"),
            [b"01234567".to_vec(), b"89\n".to_vec()]
        );
    }

    #[test]
    fn nothing_written_means_nothing_sent() {
        assert!(chunks_of("").is_empty());
    }
}
