//! Device runner (QEMU, semihosting): the same as host_main.rs, with host files read and
//! written over semihosting. `-append "--model=M --inputs=I --outputs=O"` or
//! `"--model=M --expect_refusal [--misalign]"`; `--arena_bytes=N` limits the arena.
#![no_std]
#![no_main]

use semihosting::params::OpenMode;
use semihosting::{cmdline, heprintln, hprintln, File};
use tflm::StaticBuffer;
use tflm_batch::{Error, Sink, Source};

mcu_rt::entry!(main);

const MODEL_CAPACITY: usize = 1 << 20;
const ARENA_BYTES: usize = 1 << 20;

static MODEL: StaticBuffer<{ MODEL_CAPACITY + 1 }> = StaticBuffer::new();
static ARENA: StaticBuffer<ARENA_BYTES> = StaticBuffer::new();
static STAGING: StaticBuffer<{ tflm_batch::MAX_INPUT_BYTES }> = StaticBuffer::new();
static TABLE: StaticBuffer<{ tflm_batch::MAX_CHANNEL_CONSTANTS_BYTES }> = StaticBuffer::new();

struct HostSource(File);

impl Source for HostSource {
    fn read_record(&mut self, buffer: &mut [u8]) -> Result<bool, Error> {
        match self
            .0
            .read_to_fill(buffer)
            .map_err(|_| Error::Io("cannot read the inputs file"))?
        {
            0 => Ok(false),
            count if count == buffer.len() => Ok(true),
            _ => Err(Error::Io("the inputs file ends inside a record")),
        }
    }
}

struct HostSink(File);

impl Sink for HostSink {
    fn write_record(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0
            .write_all(bytes)
            .map_err(|_| Error::Io("cannot write the outputs file"))
    }
}

fn fail(what: &str) -> ! {
    heprintln!("device runner: {}", what);
    semihosting::exit(1)
}

fn main() -> ! {
    tflm::set_debug_log(|message| heprintln!("TFLM: {}", message));
    let mut line_buffer = [0u8; 1024];
    let line =
        semihosting::command_line(&mut line_buffer).unwrap_or_else(|_| fail("no command line"));
    let model_path = cmdline::flag(line, "model").unwrap_or_else(|| fail("--model is required"));
    let (Some(model_buffer), Some(arena)) = (MODEL.take(), ARENA.take()) else {
        fail("buffers taken twice")
    };
    let mut model_file =
        File::open(model_path, OpenMode::Read).unwrap_or_else(|_| fail("cannot open the model"));
    let length = model_file
        .len()
        .unwrap_or_else(|_| fail("cannot size the model"));
    if length > MODEL_CAPACITY {
        fail("the model is larger than the runner's model buffer");
    }
    // --misalign places the model one byte off TFLM's alignment, to test that it is refused.
    let offset = usize::from(cmdline::args(line).any(|arg| arg == "--misalign"));
    let model = &mut model_buffer[offset..offset + length];
    if model_file.read_to_fill(model) != Ok(length) {
        fail("cannot read the model");
    }

    // --arena_bytes=N runs in the first N bytes of the arena only.
    let arena_bytes = cmdline::flag(line, "arena_bytes")
        .and_then(|n| n.parse().ok())
        .unwrap_or(ARENA_BYTES);
    let arena = &mut arena[..arena_bytes.min(ARENA_BYTES)];
    if cmdline::args(line).any(|arg| arg == "--expect_refusal") {
        match tflm_batch::refusal(model, arena) {
            Some(error) => {
                hprintln!("refused: {}", error);
                semihosting::exit(0)
            }
            None => fail("the model was accepted, but a refusal was expected"),
        }
    }
    let (Some(inputs), Some(outputs)) = (
        cmdline::flag(line, "inputs"),
        cmdline::flag(line, "outputs"),
    ) else {
        fail("--inputs and --outputs are required")
    };
    let input =
        File::open(inputs, OpenMode::Read).unwrap_or_else(|_| fail("cannot open the inputs"));
    let output =
        File::open(outputs, OpenMode::Write).unwrap_or_else(|_| fail("cannot create the outputs"));
    let (Some(staging), Some(table)) = (STAGING.take(), TABLE.take()) else {
        fail("buffers taken twice")
    };
    match tflm_batch::run(
        model,
        arena,
        table,
        staging,
        &mut HostSource(input),
        &mut HostSink(output),
    ) {
        Ok(summary) => {
            hprintln!("{:?}", summary);
            semihosting::exit(0)
        }
        Err(error) => {
            heprintln!("device runner: {}", error);
            semihosting::exit(1)
        }
    }
}
