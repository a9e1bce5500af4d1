//! Storage with the alignment TFLM needs, for models and tensor arenas.

/// `N` bytes starting on a 16-byte boundary ([`crate::ALIGNMENT`]).
///
/// Usable as a `static` (for a model embedded with `include_bytes!`, build the value with
/// [`AlignedBuffer::from_bytes`]) or on the stack for small arenas.
#[repr(C, align(16))]
#[derive(Clone)]
pub struct AlignedBuffer<const N: usize>(pub [u8; N]);

impl<const N: usize> AlignedBuffer<N> {
    /// A zeroed buffer.
    pub const fn new() -> Self {
        Self([0; N])
    }

    /// A copy of `bytes`; `N` must equal its length (checked at compile time in consts).
    pub const fn from_bytes(bytes: &[u8; N]) -> Self {
        Self(*bytes)
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl<const N: usize> Default for AlignedBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_start_on_the_tflm_alignment() {
        let buffers = [AlignedBuffer::<3>::new(), AlignedBuffer::<3>::new()];
        for buffer in &buffers {
            assert_eq!(buffer.as_slice().as_ptr() as usize % crate::ALIGNMENT, 0);
        }
        assert_eq!(core::mem::align_of::<AlignedBuffer<1>>(), crate::ALIGNMENT);
    }
}
