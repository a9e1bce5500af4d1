//! A model buffer that has been checked and may be handed to TFLM.

use crate::error::Error;
use crate::ffi;

/// One operator code of a model: a builtin operator and the version the converter chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorCode {
    pub builtin_code: i32,
    pub version: i32,
}

/// A TFLite flatbuffer that starts on a 16-byte boundary, passes the flatbuffer verifier,
/// has the schema version TFLM reads, one subgraph and consistent internal references.
/// It may carry its table of per-channel constants ([`Model::with_channel_constants`]).
#[derive(Clone, Copy)]
pub struct Model<'a> {
    data: &'a [u8],
    channel_constants: &'a [u8],
}

impl<'a> Model<'a> {
    /// Checks `data`; a bad buffer is an [`Error`] with the reason, never a crash.
    pub fn new(data: &'a [u8]) -> Result<Self, Error> {
        ffi::check_model(data)?;
        Ok(Self {
            data,
            channel_constants: &[],
        })
    }

    /// The model with its table of per-channel output multipliers and shifts (built with
    /// it: [`crate::Interpreter::channel_constants`], embedded by //codegen). Interpreters
    /// then read them from the table, in flash on a device, instead of computing them into
    /// the arena; one that is not this model's is refused when an interpreter is built.
    pub fn with_channel_constants(self, table: &'a [u8]) -> Self {
        Self {
            channel_constants: table,
            ..self
        }
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The table given with [`Model::with_channel_constants`]; empty when none was.
    pub fn channel_constants(&self) -> &'a [u8] {
        self.channel_constants
    }

    /// The operator codes the model uses, in the model's order.
    pub fn operator_codes(&self) -> impl Iterator<Item = OperatorCode> + '_ {
        (0..ffi::operator_count(self)).filter_map(move |index| {
            ffi::operator(self, index).map(|(builtin_code, version)| OperatorCode {
                builtin_code,
                version,
            })
        })
    }
}
