//! Errors carry TFLM's own message, in a fixed-size buffer (no allocator on the device).

use core::fmt;

/// Capacity of an error message; longer messages are cut.
pub const MESSAGE_CAPACITY: usize = 256;

/// What was being done when the error happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Checking the model buffer ([`crate::Model::new`]).
    Model,
    /// Building the interpreter and allocating tensors ([`crate::Interpreter::new`]).
    Allocate,
    /// Running the model ([`crate::Interpreter::invoke`]).
    Invoke,
    /// Reaching a tensor: no such index, or another element type.
    Tensor,
}

/// A failure reported by the wrapper or by TFLM, with its message.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    stage: Stage,
    message: [u8; MESSAGE_CAPACITY],
    length: usize,
}

impl Error {
    pub(crate) fn new(stage: Stage, text: &str) -> Self {
        let mut error = Self {
            stage,
            message: [0; MESSAGE_CAPACITY],
            length: 0,
        };
        error.push(text);
        error
    }

    /// An error from the bytes of a C string (up to its NUL); non-ASCII bytes become '?'.
    pub(crate) fn from_c_text(stage: Stage, text: &[u8]) -> Self {
        let mut error = Self {
            stage,
            message: [0; MESSAGE_CAPACITY],
            length: 0,
        };
        for &byte in text
            .iter()
            .take_while(|&&byte| byte != 0)
            .take(MESSAGE_CAPACITY)
        {
            error.message[error.length] = if byte.is_ascii() { byte } else { b'?' };
            error.length += 1;
        }
        if error.length == 0 {
            error.push("TFLM reported a failure without a message");
        }
        error
    }

    /// Appends text, cut at a character boundary when the buffer is full.
    pub(crate) fn push(&mut self, text: &str) {
        let room = MESSAGE_CAPACITY - self.length;
        let mut take = text.len().min(room);
        while !text.is_char_boundary(take) {
            take -= 1;
        }
        self.message[self.length..self.length + take].copy_from_slice(&text.as_bytes()[..take]);
        self.length += take;
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn message(&self) -> &str {
        // Only whole UTF-8 characters are ever stored.
        core::str::from_utf8(&self.message[..self.length]).unwrap_or("")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Model => "invalid model",
            Stage::Allocate => "cannot create the interpreter",
            Stage::Invoke => "inference failed",
            Stage::Tensor => "tensor access",
        };
        write!(formatter, "{stage}: {}", self.message())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Error({:?}, {:?})", self.stage, self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_text_stops_at_nul_and_replaces_non_ascii() {
        let error = Error::from_c_text(Stage::Invoke, b"bad \xff op\0ignored");
        assert_eq!(error.message(), "bad ? op");
        assert_eq!(error.to_string(), "inference failed: bad ? op");
    }

    #[test]
    fn empty_c_text_still_says_something() {
        assert!(!Error::from_c_text(Stage::Allocate, b"\0")
            .message()
            .is_empty());
    }

    #[test]
    fn long_messages_are_cut_on_character_boundaries() {
        let mut error = Error::new(Stage::Model, "");
        for _ in 0..MESSAGE_CAPACITY {
            error.push("é");
        }
        assert!(error.message().len() <= MESSAGE_CAPACITY);
        assert!(error.message().chars().all(|c| c == 'é'));
    }
}
