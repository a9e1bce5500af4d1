//! Host runner: `host_runner --model=M --inputs=I --outputs=O` runs the model through the
//! Rust wrapper on every input record; `--expect_refusal` instead requires the model to be
//! refused with a message (`--misalign` loads it off TFLM's alignment first).
//! `--arena_bytes=N` limits the arena. The same core as the device runner (batch.rs).
//! `--describe=OUT.json --channel_constants=OUT.bin` measures what firmware built for the
//! model needs and writes its channel constants table (see describe.rs).

use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;

use tflm::AlignedBuffer;
use tflm_batch::{Error, Sink, Source};

mod describe;

const MODEL_CAPACITY: usize = 8 << 20;
const ARENA_BYTES: usize = 8 << 20;

struct FileSource(File);

impl Source for FileSource {
    fn read_record(&mut self, buffer: &mut [u8]) -> Result<bool, Error> {
        let mut filled = 0;
        while filled < buffer.len() {
            match self
                .0
                .read(&mut buffer[filled..])
                .map_err(|_| Error::Io("cannot read the inputs file"))?
            {
                0 if filled == 0 => return Ok(false),
                0 => return Err(Error::Io("the inputs file ends inside a record")),
                count => filled += count,
            }
        }
        Ok(true)
    }
}

struct FileSink(File);

impl Sink for FileSink {
    fn write_record(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0
            .write_all(bytes)
            .map_err(|_| Error::Io("cannot write the outputs file"))
    }
}

fn flag(name: &str) -> Option<String> {
    let prefix = format!("--{name}=");
    std::env::args().find_map(|arg| arg.strip_prefix(&prefix).map(str::to_owned))
}

fn main() -> ExitCode {
    // The model and arena buffers are built on the stack before they are boxed.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .expect("cannot start the runner thread")
        .join()
        .unwrap_or(ExitCode::FAILURE)
}

fn run() -> ExitCode {
    let Some(model_path) = flag("model") else {
        eprintln!(
            "usage: host_runner --model=M (--inputs=I --outputs=O | --expect_refusal | --describe=OUT)"
        );
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&model_path) {
        Ok(bytes) if bytes.len() <= MODEL_CAPACITY => bytes,
        Ok(_) => {
            eprintln!("{model_path}: larger than {MODEL_CAPACITY} bytes");
            return ExitCode::from(2);
        }
        Err(error) => {
            eprintln!("{model_path}: {error}");
            return ExitCode::from(2);
        }
    };
    // --misalign places the model one byte off TFLM's alignment, to test that it is refused.
    let offset = usize::from(std::env::args().any(|arg| arg == "--misalign"));
    let mut model = Box::new(AlignedBuffer::<{ MODEL_CAPACITY + 1 }>::new());
    model.0[offset..offset + bytes.len()].copy_from_slice(&bytes);
    let model = &model.0[offset..offset + bytes.len()];
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    // --arena_bytes=N runs in the first N bytes of the arena only.
    let arena_bytes = flag("arena_bytes")
        .and_then(|n| n.parse().ok())
        .unwrap_or(ARENA_BYTES);
    let arena = &mut arena.0[..arena_bytes.min(ARENA_BYTES)];

    if let Some(out) = flag("describe") {
        let Some(table_out) = flag("channel_constants") else {
            eprintln!("--describe needs --channel_constants=OUT, where the table goes");
            return ExitCode::from(2);
        };
        return match describe::describe(model, arena) {
            Ok(description) => {
                let written = std::fs::write(&out, description.json)
                    .map_err(|error| format!("{out}: {error}"))
                    .and_then(|()| {
                        std::fs::write(&table_out, description.channel_constants)
                            .map_err(|error| format!("{table_out}: {error}"))
                    });
                match written {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(error) => {
                        eprintln!("{error}");
                        ExitCode::from(2)
                    }
                }
            }
            Err(error) => {
                eprintln!("{model_path}: {error}");
                ExitCode::FAILURE
            }
        };
    }
    if std::env::args().any(|arg| arg == "--expect_refusal") {
        return match tflm_batch::refusal(model, arena) {
            Some(error) => {
                println!("refused: {error}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("{model_path}: accepted, but a refusal was expected");
                ExitCode::FAILURE
            }
        };
    }
    let (Some(inputs), Some(outputs)) = (flag("inputs"), flag("outputs")) else {
        eprintln!("--inputs and --outputs are required");
        return ExitCode::from(2);
    };
    let opened = File::open(&inputs).and_then(|input| Ok((input, File::create(&outputs)?)));
    let Ok((input, output)) = opened else {
        eprintln!("cannot open {inputs} or create {outputs}");
        return ExitCode::from(2);
    };
    let mut staging = vec![0u8; tflm_batch::MAX_INPUT_BYTES];
    let mut table = Box::new(AlignedBuffer::<{ tflm_batch::MAX_CHANNEL_CONSTANTS_BYTES }>::new());
    match tflm_batch::run(
        model,
        arena,
        &mut table.0,
        &mut staging,
        &mut FileSource(input),
        &mut FileSink(output),
    ) {
        Ok(summary) => {
            println!("{summary:?}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{model_path}: {error}");
            ExitCode::FAILURE
        }
    }
}
