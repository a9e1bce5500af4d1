//! The camera seam for real boards.
//!
//! A board port implements [`Camera`] for its sensor (for the STM32H743: DCMI + DMA into a
//! buffer in the AXI SRAM, the `.arena` region, where the DMA can reach) and hands it to
//! [`CameraFrames`]. The sensor is expected to deliver 8-bit grayscale (Y of YUV422, or a
//! monochrome mode) already at the model's size; scale or crop in the driver otherwise.
//! Until a driver exists the image links [`NoCamera`], which reports itself on every frame.

use crate::frames::{FrameError, FrameSource};

/// A camera driver: one blocking capture per call.
pub trait Camera {
    /// Captures one frame into `frame` (HEIGHT x WIDTH bytes, row-major, 8-bit gray).
    fn capture(&mut self, frame: &mut [u8]) -> Result<(), FrameError>;
}

/// Frames from a camera, numbered for reports. A camera never runs out of frames.
pub struct CameraFrames<C: Camera> {
    camera: C,
}

impl<C: Camera> CameraFrames<C> {
    pub fn new(camera: C) -> Self {
        Self { camera }
    }
}

impl<C: Camera> FrameSource for CameraFrames<C> {
    fn next_frame(&mut self, frame: &mut [u8]) -> Option<Result<(), FrameError>> {
        Some(self.camera.capture(frame))
    }

    fn frame_name(&self) -> &str {
        "camera"
    }
}

/// The stub linked until a board has a driver: every capture fails with
/// [`FrameError::NoCamera`], which names what to implement.
pub struct NoCamera;

impl Camera for NoCamera {
    fn capture(&mut self, _frame: &mut [u8]) -> Result<(), FrameError> {
        Err(FrameError::NoCamera)
    }
}
