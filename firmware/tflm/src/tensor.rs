//! Views of an interpreter's input and output tensors: shape, element type, quantization
//! and typed data.

use crate::error::{Error, Stage};
use crate::ffi::{self, RawTensor};

/// A tensor's element type (TFLite's `TfLiteType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementType {
    Float32,
    Int32,
    UInt8,
    Int64,
    Bool,
    Int16,
    Int8,
    Float16,
    /// Any other `TfLiteType` value.
    Other(i32),
}

impl ElementType {
    fn from_raw(value: i32) -> Self {
        match value {
            1 => Self::Float32,
            2 => Self::Int32,
            3 => Self::UInt8,
            4 => Self::Int64,
            6 => Self::Bool,
            7 => Self::Int16,
            9 => Self::Int8,
            10 => Self::Float16,
            other => Self::Other(other),
        }
    }
}

/// Affine quantization: `real = scale * (quantized - zero_point)`. A scale of 0 means the
/// tensor is not quantized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantization {
    pub scale: f32,
    pub zero_point: i32,
}

mod sealed {
    pub trait Sealed {}
}

/// Element types a tensor can be viewed as: plain numbers, valid for any bit pattern.
pub trait Element: sealed::Sealed + Copy {
    const TYPE: ElementType;
}

macro_rules! element {
    ($($rust:ty => $tflite:ident),* $(,)?) => {$(
        impl sealed::Sealed for $rust {}
        impl Element for $rust {
            const TYPE: ElementType = ElementType::$tflite;
        }
    )*};
}

element!(i8 => Int8, u8 => UInt8, i16 => Int16, i32 => Int32, i64 => Int64, f32 => Float32);

#[derive(Clone, Copy)]
struct Description {
    element_type: ElementType,
    dims: [i32; 6],
    rank: usize,
    quantization: Quantization,
}

impl Description {
    fn new(raw: &RawTensor) -> Self {
        Self {
            element_type: ElementType::from_raw(raw.element_type),
            dims: raw.dims,
            rank: raw.dims_count as usize,
            quantization: Quantization {
                scale: raw.scale,
                zero_point: raw.zero_point,
            },
        }
    }

    /// Why the tensor's bytes cannot be viewed as `T`s.
    fn mismatch<T: Element>(&self) -> Error {
        if self.element_type == T::TYPE {
            Error::new(
                Stage::Tensor,
                "the tensor's bytes are not aligned for its element type",
            )
        } else {
            Error::new(
                Stage::Tensor,
                "the tensor's element type differs from the requested one",
            )
        }
    }
}

/// A read-only tensor, borrowed from its interpreter.
pub struct Tensor<'t> {
    description: Description,
    data: &'t [u8],
}

/// A writable tensor (a model input), borrowed exclusively from its interpreter.
pub struct TensorMut<'t> {
    description: Description,
    data: &'t mut [u8],
}

macro_rules! common_accessors {
    () => {
        /// Dimensions, outermost first (e.g. `[1, 120, 160, 1]`).
        pub fn shape(&self) -> &[i32] {
            &self.description.dims[..self.description.rank]
        }

        pub fn element_type(&self) -> ElementType {
            self.description.element_type
        }

        pub fn quantization(&self) -> Quantization {
            self.description.quantization
        }

        /// The raw bytes of the tensor.
        pub fn bytes(&self) -> &[u8] {
            self.data
        }

        /// The elements, if they are of type `T`.
        pub fn as_slice<T: Element>(&self) -> Result<&[T], Error> {
            if self.description.element_type != T::TYPE {
                return Err(self.description.mismatch::<T>());
            }
            ffi::cast_slice(self.data).ok_or_else(|| self.description.mismatch::<T>())
        }

        pub fn as_i8(&self) -> Result<&[i8], Error> {
            self.as_slice()
        }

        pub fn as_u8(&self) -> Result<&[u8], Error> {
            self.as_slice()
        }
    };
}

impl core::fmt::Debug for Description {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter
            .debug_struct("Tensor")
            .field("element_type", &self.element_type)
            .field("shape", &&self.dims[..self.rank])
            .field("quantization", &self.quantization)
            .finish()
    }
}

impl core::fmt::Debug for Tensor<'_> {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.description.fmt(formatter)
    }
}

impl core::fmt::Debug for TensorMut<'_> {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.description.fmt(formatter)
    }
}

impl<'t> Tensor<'t> {
    pub(crate) fn new(raw: &RawTensor, data: &'t [u8]) -> Self {
        Self {
            description: Description::new(raw),
            data,
        }
    }

    common_accessors!();
}

impl<'t> TensorMut<'t> {
    pub(crate) fn new(raw: &RawTensor, data: &'t mut [u8]) -> Self {
        Self {
            description: Description::new(raw),
            data,
        }
    }

    common_accessors!();

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.data
    }

    /// The data bytes for as long as the interpreter stays borrowed.
    pub fn into_bytes_mut(self) -> &'t mut [u8] {
        self.data
    }

    /// The elements, writable, if they are of type `T`.
    pub fn as_mut_slice<T: Element>(&mut self) -> Result<&mut [T], Error> {
        if self.description.element_type != T::TYPE {
            return Err(self.description.mismatch::<T>());
        }
        let description = self.description;
        ffi::cast_slice_mut(self.data).ok_or_else(|| description.mismatch::<T>())
    }

    pub fn as_i8_mut(&mut self) -> Result<&mut [i8], Error> {
        self.as_mut_slice()
    }

    pub fn as_u8_mut(&mut self) -> Result<&mut [u8], Error> {
        self.as_mut_slice()
    }
}
