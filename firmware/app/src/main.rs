//! The person-detection firmware: initialise once, then for every frame: read it, run the
//! embedded model, report. A bad frame or a failed inference is reported and the loop
//! goes on; only a model that cannot run at all stops the device.
//!
//! On QEMU (feature `host_frames`) frames are host files named on the command line
//! (`-append "a.gray b.gray --frame_list=list.txt --scores=out.bin"`), and the program
//! exits when they run out: 0 if every frame was detected, 1 otherwise. On a real board
//! frames come from the camera (camera.rs) and the loop never ends.
#![no_std]
#![no_main]

#[cfg(not(feature = "host_frames"))]
mod camera;
mod console;
mod detector;
mod frames;
#[cfg(feature = "host_frames")]
mod host_frames;

use semihosting::{heprintln, hprintln};

use console::{ConsoleSink, ResultSink};
use detector::Detector;
use frames::FrameSource;

mcu_rt::entry!(main);

tflm::arena_buffer!(ARENA, model::ARENA_BYTES);

const BOARD: &str = env!("TINYML_BOARD");

/// Frames read and how they ended.
#[derive(Default)]
struct Tally {
    frames: usize,
    detected: usize,
    failed: usize,
    /// Detections whose answer was "person".
    persons: usize,
}

fn run(source: &mut dyn FrameSource, sink: &mut dyn ResultSink, detector: &mut Detector) -> Tally {
    let mut tally = Tally::default();
    loop {
        let index = tally.frames;
        let read = match detector.frame_mut() {
            Ok(frame) => source.next_frame(frame),
            // Only a model without an input gets here, and Detector::new refuses those.
            Err(error) => {
                sink.error(index, "input tensor", &error);
                return tally;
            }
        };
        let outcome = match read {
            None => return tally,
            Some(Ok(())) => detector.detect(),
            Some(Err(error)) => {
                tally.frames += 1;
                tally.failed += 1;
                sink.error(index, source.frame_name(), &error);
                continue;
            }
        };
        tally.frames += 1;
        match outcome {
            Ok(detection) => {
                tally.detected += 1;
                tally.persons += usize::from(detection.is_person());
                sink.detection(index, source.frame_name(), &detection);
            }
            Err(error) => {
                tally.failed += 1;
                sink.error(index, source.frame_name(), &error);
            }
        }
    }
}

fn fatal(what: &dyn core::fmt::Display) -> ! {
    heprintln!("person detector: {}", what);
    semihosting::exit(2)
}

fn main() -> ! {
    hprintln!(
        "person detector on {}: model {} ({} B, {} MACs), arena {} B, input {}x{}",
        BOARD,
        model::MODEL_SHA256,
        model::MODEL_BYTES,
        model::MACS,
        model::ARENA_BYTES,
        model::input::WIDTH,
        model::input::HEIGHT
    );
    tflm::set_debug_log(|message| heprintln!("TFLM: {}", message));
    let arena = ARENA
        .take()
        .unwrap_or_else(|| fatal(&"the arena was taken twice"));
    let mut detector = Detector::new(arena).unwrap_or_else(|error| fatal(&error));

    let mut command_line = [0u8; 4096];
    let line = semihosting::command_line(&mut command_line).unwrap_or("");
    let mut sink = ConsoleSink::new(semihosting::cmdline::flag(line, "scores"))
        .unwrap_or_else(|()| fatal(&"cannot create the --scores file"));

    #[cfg(feature = "host_frames")]
    let mut source = host_frames::HostFrames::new(line)
        .unwrap_or_else(|path| fatal(&format_args!("cannot open --frame_list={}", path)));
    #[cfg(not(feature = "host_frames"))]
    let mut source = camera::CameraFrames::new(camera::NoCamera);

    let tally = run(&mut source, &mut sink, &mut detector);
    hprintln!(
        "frames {} detected {} failed {} person {}",
        tally.frames,
        tally.detected,
        tally.failed,
        tally.persons
    );
    semihosting::exit(if tally.failed == 0 { 0 } else { 1 })
}
