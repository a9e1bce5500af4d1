//! A safe Rust API over TensorFlow Lite Micro (the 2020 library in //third_party/tflm),
//! for `no_std` firmware and for the host, where it is unit-tested.
//!
//! ```ignore
//! let model = tflm::Model::new(&MODEL.0)?;               // checked: alignment, flatbuffer, schema
//! let mut interpreter = tflm::Interpreter::new(&model, &[ops::CONV_2D, ops::SOFTMAX], &mut arena)?;
//! interpreter.input_mut(0)?.as_i8_mut()?.copy_from_slice(&pixels);
//! interpreter.invoke()?;
//! let scores = interpreter.output(0)?.as_i8()?;
//! ```
//!
//! All `unsafe` code is in the private `ffi` module, which binds the C shim in
//! //firmware/tflm_shim and owns the raw memory handed to it ([`StaticBuffer`]).
#![cfg_attr(not(test), no_std)]
// Errors carry TFLM's message inline: there is no allocator to box it on the device.
#![allow(clippy::result_large_err)]

mod aligned;
mod error;
mod ffi;
mod interpreter;
mod model;
pub mod ops;
mod tensor;

pub use aligned::AlignedBuffer;
pub use error::{Error, Stage};
pub use ffi::{set_clock, set_debug_log, StaticBuffer};
pub use interpreter::Interpreter;
pub use model::{Model, OperatorCode};
pub use ops::Op;
pub use tensor::{Element, ElementType, Quantization, Tensor, TensorMut};

/// Model buffers and arenas start on this boundary; arena sizes are multiples of it.
pub const ALIGNMENT: usize = 16;
