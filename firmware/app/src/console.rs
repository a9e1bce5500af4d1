//! Where results go: a seam between the detector and the outside world.

use core::fmt::Display;

use semihosting::params::OpenMode;
use semihosting::{heprintln, hprintln, File};

use crate::detector::Detection;

/// Receives one report per frame.
pub trait ResultSink {
    fn detection(&mut self, index: usize, frame: &str, detection: &Detection);
    fn error(&mut self, index: usize, frame: &str, error: &dyn Display);
}

/// One console line per frame (semihosting: QEMU's console, or a debug probe's):
///
/// `frame 3 person/0001.gray: person 0.973 raw [-124, 123]`
///
/// plus ` cycles N` where the core counts cycles. With `scores`, each detection's raw
/// output bytes are also appended to that host file (the tests compare them).
pub struct ConsoleSink {
    scores: Option<File>,
}

impl ConsoleSink {
    pub fn new(scores: Option<&str>) -> Result<Self, ()> {
        let scores = match scores {
            Some(path) => Some(File::open(path, OpenMode::Write).map_err(|_| ())?),
            None => None,
        };
        Ok(Self { scores })
    }
}

impl ResultSink for ConsoleSink {
    fn detection(&mut self, index: usize, frame: &str, detection: &Detection) {
        let raw = detection.raw.map(|byte| {
            if model::output::ELEMENT_TYPE == tflm::ElementType::Int8 {
                i32::from(byte as i8)
            } else {
                i32::from(byte)
            }
        });
        match detection.cycles {
            Some(cycles) => hprintln!(
                "frame {} {}: {} {:.3} raw {:?} cycles {}",
                index,
                frame,
                detection.class_name(),
                detection.score,
                raw,
                cycles
            ),
            None => hprintln!(
                "frame {} {}: {} {:.3} raw {:?}",
                index,
                frame,
                detection.class_name(),
                detection.score,
                raw
            ),
        }
        if let Some(file) = self.scores.as_mut() {
            if file.write_all(&detection.raw).is_err() {
                heprintln!("frame {} {}: cannot write the scores file", index, frame);
            }
        }
    }

    fn error(&mut self, index: usize, frame: &str, error: &dyn Display) {
        heprintln!("frame {} {}: error: {}", index, frame, error);
    }
}
