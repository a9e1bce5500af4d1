//! Runs a model over a stream of inputs: the shared core of the host and device runners
//! that the equivalence tests compare.
//!
//! Inputs are the model's input tensors' bytes, one inference after another; outputs are
//! every output tensor's bytes, in order, one inference after another.
#![no_std]
// tflm::Error carries TFLM's message inline (no allocator on the device).
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

use core::fmt;

use tflm::{ops, Interpreter, Model};

/// Where input bytes come from (a host file, over std or semihosting).
pub trait Source {
    /// Fills `buffer` completely and returns true, or returns false at a clean end of the
    /// stream; a partial fill is an error.
    fn read_record(&mut self, buffer: &mut [u8]) -> Result<bool, Error>;
}

/// Where output bytes go.
pub trait Sink {
    fn write_record(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

/// What a batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub inferences: usize,
    pub input_bytes: usize,
    pub output_bytes: usize,
    /// The smallest arena this model runs in on this target (pointer sizes differ), with
    /// its channel constants table, as firmware runs it.
    pub minimum_arena_bytes: usize,
    /// The same without the table (the multipliers and shifts computed into the arena),
    /// when `arena` holds that.
    pub minimum_arena_bytes_without_table: Option<usize>,
    pub channel_constants_bytes: usize,
    pub arena_used_bytes: usize,
    /// Of arena_used_bytes: the activations' plan, and the wrapper's interpreter object.
    pub arena_activation_bytes: usize,
    pub arena_interpreter_bytes: usize,
}

#[derive(Debug)]
pub enum Error {
    Tflm(tflm::Error),
    Io(&'static str),
}

impl From<tflm::Error> for Error {
    fn from(error: tflm::Error) -> Self {
        Self::Tflm(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tflm(error) => write!(formatter, "{error}"),
            Self::Io(what) => write!(formatter, "{what}"),
        }
    }
}

/// The largest single input record the runners stage (bigger inputs are refused).
pub const MAX_INPUT_BYTES: usize = 256 * 1024;

/// The largest channel constants table the runners build (4-byte aligned buffers).
pub const MAX_CHANNEL_CONSTANTS_BYTES: usize = 128 * 1024;

/// Runs `model` (with every kernel linked) on each input record of `inputs`, with its
/// channel constants table built first into `table`, as firmware runs it.
pub fn run(
    model: &[u8],
    arena: &mut [u8],
    table: &mut [u8],
    staging: &mut [u8],
    inputs: &mut impl Source,
    outputs: &mut impl Sink,
) -> Result<Summary, Error> {
    let model = Model::new(model)?;
    let minimum_arena_bytes_without_table =
        Interpreter::minimum_arena_bytes(&model, ops::ALL, arena).ok();
    let channel_constants_bytes = Interpreter::channel_constants(&model, ops::ALL, arena, table)?;
    let model = model.with_channel_constants(&table[..channel_constants_bytes]);
    let minimum_arena_bytes = Interpreter::minimum_arena_bytes(&model, ops::ALL, arena)?;
    let mut interpreter = Interpreter::new(&model, ops::ALL, arena)?;
    let mut input_bytes = 0;
    for index in 0..interpreter.input_count() {
        input_bytes += interpreter.input(index)?.bytes().len();
    }
    let mut output_bytes = 0;
    for index in 0..interpreter.output_count() {
        output_bytes += interpreter.output(index)?.bytes().len();
    }
    if input_bytes > staging.len() {
        return Err(Error::Io(
            "the model's inputs are larger than the staging buffer",
        ));
    }
    let mut inferences = 0;
    while inputs.read_record(&mut staging[..input_bytes])? {
        let mut offset = 0;
        for index in 0..interpreter.input_count() {
            let mut tensor = interpreter.input_mut(index)?;
            let bytes = tensor.bytes_mut();
            bytes.copy_from_slice(&staging[offset..offset + bytes.len()]);
            offset += bytes.len();
        }
        interpreter.invoke()?;
        for index in 0..interpreter.output_count() {
            outputs.write_record(interpreter.output(index)?.bytes())?;
        }
        inferences += 1;
    }
    Ok(Summary {
        inferences,
        input_bytes,
        output_bytes,
        minimum_arena_bytes,
        minimum_arena_bytes_without_table,
        channel_constants_bytes,
        arena_used_bytes: interpreter.arena_used_bytes(),
        arena_activation_bytes: interpreter.arena_activation_bytes(),
        arena_interpreter_bytes: interpreter.arena_interpreter_bytes(),
    })
}

/// The error `model` is refused with (by the model check or when building the
/// interpreter), or `None` if it is accepted.
pub fn refusal(model: &[u8], arena: &mut [u8]) -> Option<tflm::Error> {
    match Model::new(model) {
        Err(error) => Some(error),
        Ok(model) => Interpreter::new(&model, ops::ALL, arena).err(),
    }
}
