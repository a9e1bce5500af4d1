//! Running a model: an interpreter borrowing its model and a caller-owned arena.

use crate::error::{Error, Stage};
use crate::ffi::{self, RawInterpreter};
use crate::model::Model;
use crate::ops::Op;
use crate::tensor::{Tensor, TensorMut};

/// A TFLM interpreter for a model (borrowed for `'m`) in an arena (borrowed for `'a`).
///
/// The interpreter's own state sits at the start of the arena, so the arena is the only
/// memory it uses. Tensors are views into the arena: reading one borrows the interpreter,
/// writing an input borrows it exclusively, and `invoke` needs every view released.
pub struct Interpreter<'m, 'a> {
    raw: RawInterpreter<'m, 'a>,
}

impl<'m, 'a> Interpreter<'m, 'a> {
    /// Registers the kernels of `ops` that the model uses and allocates every tensor in
    /// `arena`. Fails with TFLM's message when an operator or version is missing from
    /// `ops` or the arena is too small.
    pub fn new(model: &Model<'m>, ops: &[Op], arena: &'a mut [u8]) -> Result<Self, Error> {
        Ok(Self {
            raw: RawInterpreter::create(model, ops, arena)?,
        })
    }

    /// The arena bytes in use after allocation, counted from the start of the arena.
    /// Allocating also needs transient room for TFLM's planner, so the smallest arena that
    /// works can be larger: see [`Interpreter::minimum_arena_bytes`].
    pub fn arena_used_bytes(&self) -> usize {
        self.raw.arena_used_bytes()
    }

    /// Of [`Interpreter::arena_used_bytes`], the activations' memory plan (every tensor
    /// the model computes, laid out by TFLM's planner).
    pub fn arena_activation_bytes(&self) -> usize {
        self.raw.arena_activation_bytes()
    }

    /// Of [`Interpreter::arena_used_bytes`], the wrapper's interpreter object and the
    /// arena's alignment padding; the rest is TFLM's and the kernels' persistent state.
    pub fn arena_interpreter_bytes(&self) -> usize {
        self.raw.arena_interpreter_bytes()
    }

    /// The exact smallest arena, in bytes from the start of `arena` (a multiple of
    /// [`crate::ALIGNMENT`]), in which [`Interpreter::new`] succeeds for this model and
    /// these ops. Found by building interpreters in `arena`, which must hold one.
    pub fn minimum_arena_bytes(
        model: &Model<'_>,
        ops: &[Op],
        arena: &mut [u8],
    ) -> Result<usize, Error> {
        ffi::minimum_arena_bytes(model, ops, arena)
    }

    /// Writes the model's table of per-channel output multipliers and shifts into `table`
    /// (as this library's kernels compute them while an interpreter is built in `arena`)
    /// and returns its length in bytes: the table [`Model::with_channel_constants`] takes.
    /// Fails when `table` is too small or not 4-byte aligned, or the model does not
    /// allocate in `arena`.
    pub fn channel_constants(
        model: &Model<'_>,
        ops: &[Op],
        arena: &mut [u8],
        table: &mut [u8],
    ) -> Result<usize, Error> {
        ffi::channel_constants(model, ops, arena, table)
    }

    pub fn input_count(&self) -> usize {
        self.raw.input_count()
    }

    pub fn output_count(&self) -> usize {
        self.raw.output_count()
    }

    pub fn input(&self, index: usize) -> Result<Tensor<'_>, Error> {
        let raw = self
            .raw
            .tensor(false, index)
            .ok_or_else(|| no_such_tensor("input"))?;
        Ok(Tensor::new(&raw, self.raw.tensor_bytes(&raw)))
    }

    pub fn input_mut(&mut self, index: usize) -> Result<TensorMut<'_>, Error> {
        let raw = self
            .raw
            .tensor(false, index)
            .ok_or_else(|| no_such_tensor("input"))?;
        Ok(TensorMut::new(&raw, self.raw.tensor_bytes_mut(&raw)))
    }

    pub fn output(&self, index: usize) -> Result<Tensor<'_>, Error> {
        let raw = self
            .raw
            .tensor(true, index)
            .ok_or_else(|| no_such_tensor("output"))?;
        Ok(Tensor::new(&raw, self.raw.tensor_bytes(&raw)))
    }

    /// Runs the model once on the current inputs.
    pub fn invoke(&mut self) -> Result<(), Error> {
        self.raw.invoke()
    }
}

fn no_such_tensor(kind: &str) -> Error {
    let mut error = Error::new(Stage::Tensor, "the model has no ");
    error.push(kind);
    error.push(" tensor at that index");
    error
}
