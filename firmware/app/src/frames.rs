//! Where frames come from: a seam between the detector and the hardware (or the emulator).

use core::fmt;

/// Why a frame could not be read. The detector reports it and goes on to the next frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Each frame source constructs only the variants that apply to it.
#[allow(dead_code)]
pub enum FrameError {
    /// The source could not be opened or read (a missing or unreadable file, a camera
    /// that did not answer).
    Unreadable,
    /// The frame does not have the model's HEIGHT x WIDTH bytes.
    WrongSize { expected: usize, actual: usize },
    /// No camera driver is linked: see camera.rs.
    NoCamera,
}

impl fmt::Display for FrameError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable => write!(formatter, "cannot read the frame"),
            Self::WrongSize { expected, actual } => write!(
                formatter,
                "the frame has {actual} bytes; the model takes {expected} (8-bit gray, row-major)"
            ),
            Self::NoCamera => write!(
                formatter,
                "no camera driver: implement camera::Camera for this board's sensor"
            ),
        }
    }
}

/// A source of 8-bit grayscale frames of the model's size, row-major.
pub trait FrameSource {
    /// Fills `frame` (exactly HEIGHT x WIDTH bytes) with the next frame. `None` when the
    /// source has no more frames (files run out; a camera never does).
    fn next_frame(&mut self, frame: &mut [u8]) -> Option<Result<(), FrameError>>;

    /// A name for the frame last returned, for reports (a file name, a frame number).
    fn frame_name(&self) -> &str;
}
