//! The operators (kernels) the library was built with, one constant each.
//!
//! An application lists the constants its model needs; only those kernels are linked
//! (each constant refers to its own registration function, and the linker drops the rest).
//! [`ALL`] links every kernel: for tools that run arbitrary models.

use crate::ffi::{self, RawOp, TflmShimRegistration};

/// A kernel the interpreter can register: a builtin operator and the model versions the
/// kernel accepts.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    name: &'static str,
    raw: RawOp,
}

impl Op {
    const fn new(
        name: &'static str,
        builtin_code: i32,
        min_version: i32,
        max_version: i32,
        registration: unsafe extern "C" fn(*mut TflmShimRegistration),
    ) -> Self {
        Self {
            name,
            raw: RawOp {
                builtin_code,
                min_version,
                max_version,
                registration,
            },
        }
    }

    /// The operator's name in the TFLite schema, e.g. `CONV_2D`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn builtin_code(&self) -> i32 {
        self.raw.builtin_code
    }

    /// The first and last model version of the operator the kernel runs.
    pub fn versions(&self) -> (i32, i32) {
        (self.raw.min_version, self.raw.max_version)
    }

    pub(crate) fn raw(&self) -> RawOp {
        self.raw
    }
}

/// The operator with this builtin code, if the library has it. Links every kernel.
pub fn find(builtin_code: i32) -> Option<Op> {
    ALL.iter()
        .copied()
        .find(|op| op.builtin_code() == builtin_code)
}

include!(env!("TFLM_OP_CONSTANTS"));
