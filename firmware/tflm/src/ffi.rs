//! The only module with `unsafe`: bindings to the C shim (//firmware/tflm_shim) and the
//! TFLM platform hooks, each wrapped in a safe function whose arguments make it sound.

use core::ffi::{c_char, CStr};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::error::{Error, Stage, MESSAGE_CAPACITY};
use crate::model::Model;
use crate::ops::Op;
use crate::tensor::Element;

/// A kernel registration (TFLM's `TfLiteRegistration`), only passed through.
#[repr(C)]
pub struct TflmShimRegistration {
    _opaque: [u8; 0],
}

#[repr(C)]
struct TflmShimInterpreter {
    _opaque: [u8; 0],
}

/// `TflmShimOp` in tflm_shim.h.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RawOp {
    pub builtin_code: i32,
    pub min_version: i32,
    pub max_version: i32,
    pub registration: unsafe extern "C" fn(*mut TflmShimRegistration),
}

const MAX_DIMS: usize = 6;

/// `TflmShimTensor` in tflm_shim.h.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct RawTensor {
    pub element_type: i32,
    pub dims_count: i32,
    pub dims: [i32; MAX_DIMS],
    data: *mut u8,
    bytes: usize,
    pub scale: f32,
    pub zero_point: i32,
}

const STATUS_OK: i32 = 0;

unsafe extern "C" {
    fn tflm_shim_check_model(
        data: *const u8,
        size: usize,
        error: *mut c_char,
        error_capacity: usize,
    ) -> i32;
    fn tflm_shim_model_operator_count(model: *const u8) -> usize;
    fn tflm_shim_model_operator(
        model: *const u8,
        index: usize,
        builtin_code: *mut i32,
        version: *mut i32,
    ) -> i32;
    fn tflm_shim_create(
        model: *const u8,
        model_size: usize,
        channel_constants: *const u8,
        channel_constants_size: usize,
        ops: *const RawOp,
        op_count: usize,
        arena: *mut u8,
        arena_size: usize,
        error: *mut c_char,
        error_capacity: usize,
    ) -> *mut TflmShimInterpreter;
    fn tflm_shim_arena_used_bytes(interpreter: *const TflmShimInterpreter) -> usize;
    fn tflm_shim_arena_activation_bytes(interpreter: *const TflmShimInterpreter) -> usize;
    fn tflm_shim_arena_interpreter_bytes(interpreter: *const TflmShimInterpreter) -> usize;
    fn tflm_shim_minimum_arena_bytes(
        model: *const u8,
        model_size: usize,
        channel_constants: *const u8,
        channel_constants_size: usize,
        ops: *const RawOp,
        op_count: usize,
        arena: *mut u8,
        arena_size: usize,
        error: *mut c_char,
        error_capacity: usize,
    ) -> usize;
    fn tflm_shim_channel_constants(
        model: *const u8,
        model_size: usize,
        ops: *const RawOp,
        op_count: usize,
        arena: *mut u8,
        arena_size: usize,
        table: *mut u8,
        table_capacity: usize,
        error: *mut c_char,
        error_capacity: usize,
    ) -> usize;
    fn tflm_shim_input_count(interpreter: *const TflmShimInterpreter) -> usize;
    fn tflm_shim_output_count(interpreter: *const TflmShimInterpreter) -> usize;
    fn tflm_shim_input(
        interpreter: *mut TflmShimInterpreter,
        index: usize,
        tensor: *mut RawTensor,
    ) -> i32;
    fn tflm_shim_output(
        interpreter: *mut TflmShimInterpreter,
        index: usize,
        tensor: *mut RawTensor,
    ) -> i32;
    fn tflm_shim_invoke(interpreter: *mut TflmShimInterpreter) -> i32;
    fn tflm_shim_last_error(interpreter: *const TflmShimInterpreter) -> *const c_char;
    fn tflm_shim_destroy(interpreter: *mut TflmShimInterpreter);
    fn tflm_platform_set_debug_log(sink: Option<unsafe extern "C" fn(*const c_char)>);
    fn tflm_platform_set_clock(ticks: Option<unsafe extern "C" fn() -> u32>, ticks_per_second: u32);
}

// One `tflm_shim_registration_<op>` per kernel, generated from TFLM's resolver.
include!(env!("TFLM_OP_REGISTRATIONS_FFI"));

/// The most operators one [`crate::Interpreter::new`] call may list.
pub const MAX_LISTED_OPS: usize = 64;

pub fn check_model(data: &[u8]) -> Result<(), Error> {
    let mut message = [0u8; MESSAGE_CAPACITY];
    // SAFETY: `data` is a live slice of `data.len()` bytes and `message` a writable buffer
    // of its stated capacity; the shim validates the bytes before interpreting them.
    let status = unsafe {
        tflm_shim_check_model(
            data.as_ptr(),
            data.len(),
            message.as_mut_ptr().cast(),
            message.len(),
        )
    };
    if status == STATUS_OK {
        Ok(())
    } else {
        Err(Error::from_c_text(Stage::Model, &message))
    }
}

pub fn operator_count(model: &Model<'_>) -> usize {
    // SAFETY: a `Model` only exists for a buffer that passed `check_model`.
    unsafe { tflm_shim_model_operator_count(model.bytes().as_ptr()) }
}

/// The builtin code and version of the model's `index`-th operator code.
pub fn operator(model: &Model<'_>, index: usize) -> Option<(i32, i32)> {
    let (mut code, mut version) = (0, 0);
    // SAFETY: the model passed `check_model`; the shim bounds-checks `index` and writes
    // only to the two local integers.
    let status =
        unsafe { tflm_shim_model_operator(model.bytes().as_ptr(), index, &mut code, &mut version) };
    (status == STATUS_OK).then_some((code, version))
}

/// An interpreter living in an arena it borrows for `'a`, running a model borrowed for `'m`.
pub struct RawInterpreter<'m, 'a> {
    handle: NonNull<TflmShimInterpreter>,
    _model: PhantomData<&'m [u8]>,
    _arena: PhantomData<&'a mut [u8]>,
}

/// The ops in the C layout, in a fixed array (no allocator).
fn raw_ops(ops: &[Op]) -> Result<[RawOp; MAX_LISTED_OPS], Error> {
    if ops.len() > MAX_LISTED_OPS {
        return Err(Error::new(
            Stage::Allocate,
            "more than 64 operators listed; list each operator once",
        ));
    }
    let mut raw_ops = [UNUSED_OP; MAX_LISTED_OPS];
    for (raw, op) in raw_ops.iter_mut().zip(ops) {
        *raw = op.raw();
    }
    Ok(raw_ops)
}

/// A size the shim returned, where 0 means failure with the reason in `message`.
fn bytes_or_error(bytes: usize, message: &[u8]) -> Result<usize, Error> {
    if bytes == 0 {
        Err(Error::from_c_text(Stage::Allocate, message))
    } else {
        Ok(bytes)
    }
}

/// The model's channel constants table as the C side takes it: none is a null pointer.
fn table_parts(model: &Model<'_>) -> (*const u8, usize) {
    let table = model.channel_constants();
    if table.is_empty() {
        (core::ptr::null(), 0)
    } else {
        (table.as_ptr(), table.len())
    }
}

/// The smallest arena (from the start of `arena`) in which the model allocates.
pub fn minimum_arena_bytes(
    model: &Model<'_>,
    ops: &[Op],
    arena: &mut [u8],
) -> Result<usize, Error> {
    let raw_ops = raw_ops(ops)?;
    let mut message = [0u8; MESSAGE_CAPACITY];
    let data = model.bytes();
    let (table, table_size) = table_parts(model);
    // SAFETY: every pointer is valid for its stated length during the call (the table is
    // null with size 0 when absent), and the shim destroys each interpreter it creates in
    // `arena` before returning.
    let bytes = unsafe {
        tflm_shim_minimum_arena_bytes(
            data.as_ptr(),
            data.len(),
            table,
            table_size,
            raw_ops.as_ptr(),
            ops.len(),
            arena.as_mut_ptr(),
            arena.len(),
            message.as_mut_ptr().cast(),
            message.len(),
        )
    };
    bytes_or_error(bytes, &message)
}

/// Writes the model's channel constants table into `table` (4-byte aligned) while an
/// interpreter is built in `arena`; returns its length.
pub fn channel_constants(
    model: &Model<'_>,
    ops: &[Op],
    arena: &mut [u8],
    table: &mut [u8],
) -> Result<usize, Error> {
    if table.as_ptr().align_offset(4) != 0 {
        return Err(Error::new(
            Stage::Allocate,
            "the channel constants buffer must start on a 4-byte boundary (use an AlignedBuffer)",
        ));
    }
    let raw_ops = raw_ops(ops)?;
    let mut message = [0u8; MESSAGE_CAPACITY];
    let data = model.bytes();
    // SAFETY: every pointer is valid for its stated length during the call (the table
    // checked 4-byte aligned above), and the shim destroys the interpreter it creates in
    // `arena` before returning.
    let bytes = unsafe {
        tflm_shim_channel_constants(
            data.as_ptr(),
            data.len(),
            raw_ops.as_ptr(),
            ops.len(),
            arena.as_mut_ptr(),
            arena.len(),
            table.as_mut_ptr(),
            table.len(),
            message.as_mut_ptr().cast(),
            message.len(),
        )
    };
    bytes_or_error(bytes, &message)
}

impl<'m, 'a> RawInterpreter<'m, 'a> {
    pub fn create(model: &Model<'m>, ops: &[Op], arena: &'a mut [u8]) -> Result<Self, Error> {
        let raw_ops = raw_ops(ops)?;
        let mut message = [0u8; MESSAGE_CAPACITY];
        let data = model.bytes();
        let (table, table_size) = table_parts(model);
        // SAFETY: the model bytes and its table live for 'm and the arena is borrowed
        // exclusively for 'a, both at least as long as the returned value, which is all the
        // shim requires; the op array and message buffer are valid for the stated lengths
        // during the call.
        let handle = unsafe {
            tflm_shim_create(
                data.as_ptr(),
                data.len(),
                table,
                table_size,
                raw_ops.as_ptr(),
                ops.len(),
                arena.as_mut_ptr(),
                arena.len(),
                message.as_mut_ptr().cast(),
                message.len(),
            )
        };
        match NonNull::new(handle) {
            Some(handle) => Ok(Self {
                handle,
                _model: PhantomData,
                _arena: PhantomData,
            }),
            None => Err(Error::from_c_text(Stage::Allocate, &message)),
        }
    }

    pub fn arena_used_bytes(&self) -> usize {
        // SAFETY: `handle` is a live interpreter (created, not yet destroyed).
        unsafe { tflm_shim_arena_used_bytes(self.handle.as_ptr()) }
    }

    pub fn arena_activation_bytes(&self) -> usize {
        // SAFETY: as in `arena_used_bytes`.
        unsafe { tflm_shim_arena_activation_bytes(self.handle.as_ptr()) }
    }

    pub fn arena_interpreter_bytes(&self) -> usize {
        // SAFETY: as in `arena_used_bytes`.
        unsafe { tflm_shim_arena_interpreter_bytes(self.handle.as_ptr()) }
    }

    pub fn input_count(&self) -> usize {
        // SAFETY: as in `arena_used_bytes`.
        unsafe { tflm_shim_input_count(self.handle.as_ptr()) }
    }

    pub fn output_count(&self) -> usize {
        // SAFETY: as in `arena_used_bytes`.
        unsafe { tflm_shim_output_count(self.handle.as_ptr()) }
    }

    /// Describes an input (`output == false`) or output tensor; `None` for a bad index.
    pub fn tensor(&self, output: bool, index: usize) -> Option<RawTensor> {
        let mut tensor = RawTensor {
            element_type: 0,
            dims_count: 0,
            dims: [0; MAX_DIMS],
            data: core::ptr::null_mut(),
            bytes: 0,
            scale: 0.0,
            zero_point: 0,
        };
        let lookup = if output {
            tflm_shim_output
        } else {
            tflm_shim_input
        };
        // SAFETY: `handle` is live, the shim bounds-checks `index`, and it only writes the
        // local `tensor`; reading tensor metadata does not mutate the interpreter.
        let status = unsafe { lookup(self.handle.as_ptr(), index, &mut tensor) };
        (status == STATUS_OK && tensor.dims_count >= 0 && tensor.dims_count as usize <= MAX_DIMS)
            .then_some(tensor)
    }

    /// The bytes of a tensor described by `self.tensor(..)`, for as long as `self` is borrowed.
    pub fn tensor_bytes(&self, tensor: &RawTensor) -> &[u8] {
        if tensor.data.is_null() || tensor.bytes == 0 {
            return &[];
        }
        // SAFETY: TFLM placed the tensor's `bytes` bytes at `data` inside the arena (or the
        // model), which outlive `self`; the shared borrow of `self` keeps `invoke` and any
        // mutable tensor view away while the slice lives.
        unsafe { core::slice::from_raw_parts(tensor.data, tensor.bytes) }
    }

    /// Writable bytes of an input tensor, for as long as `self` is borrowed mutably.
    pub fn tensor_bytes_mut(&mut self, tensor: &RawTensor) -> &mut [u8] {
        if tensor.data.is_null() || tensor.bytes == 0 {
            return &mut [];
        }
        // SAFETY: as in `tensor_bytes`; the exclusive borrow of `self` makes this the only
        // view of the interpreter's tensors while it lives.
        unsafe { core::slice::from_raw_parts_mut(tensor.data, tensor.bytes) }
    }

    pub fn invoke(&mut self) -> Result<(), Error> {
        // SAFETY: `handle` is live and `&mut self` guarantees no tensor view is held.
        let status = unsafe { tflm_shim_invoke(self.handle.as_ptr()) };
        if status == STATUS_OK {
            return Ok(());
        }
        // SAFETY: the shim returns a NUL-terminated string inside the live interpreter.
        let text = unsafe { CStr::from_ptr(tflm_shim_last_error(self.handle.as_ptr())) };
        Err(Error::from_c_text(Stage::Invoke, text.to_bytes()))
    }
}

impl Drop for RawInterpreter<'_, '_> {
    fn drop(&mut self) {
        // SAFETY: `handle` is live and never used after this.
        unsafe { tflm_shim_destroy(self.handle.as_ptr()) }
    }
}

/// Views tensor bytes as elements, if the length and alignment allow it.
pub fn cast_slice<T: Element>(bytes: &[u8]) -> Option<&[T]> {
    let size = core::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(size)
        || !(bytes.as_ptr() as usize).is_multiple_of(core::mem::align_of::<T>())
    {
        return None;
    }
    // SAFETY: `Element` is sealed to plain numeric types, for which every bit pattern is a
    // value; length and alignment were checked just above; the lifetime is the input's.
    Some(unsafe { core::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) })
}

pub fn cast_slice_mut<T: Element>(bytes: &mut [u8]) -> Option<&mut [T]> {
    let size = core::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(size)
        || !(bytes.as_ptr() as usize).is_multiple_of(core::mem::align_of::<T>())
    {
        return None;
    }
    // SAFETY: as in `cast_slice`, and the exclusive borrow moves into the result.
    Some(unsafe {
        core::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast::<T>(), bytes.len() / size)
    })
}

unsafe extern "C" fn no_registration(_out: *mut TflmShimRegistration) {}

/// Fills the unused slots of the op array passed to the shim (never read by it).
const UNUSED_OP: RawOp = RawOp {
    builtin_code: -1,
    min_version: 0,
    max_version: 0,
    registration: no_registration,
};

static DEBUG_LOG_SINK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());
static CLOCK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

unsafe extern "C" fn forward_debug_log(message: *const c_char) {
    let sink = DEBUG_LOG_SINK.load(Ordering::Acquire);
    if sink.is_null() || message.is_null() {
        return;
    }
    // SAFETY: only `set_debug_log` stores into DEBUG_LOG_SINK, always a `fn(&str)`.
    let sink: fn(&str) = unsafe { core::mem::transmute::<*mut (), fn(&str)>(sink) };
    // SAFETY: TFLM passes a NUL-terminated message that lives for the call.
    let text = unsafe { CStr::from_ptr(message) };
    sink(text.to_str().unwrap_or("(TFLM message that is not UTF-8)"));
}

unsafe extern "C" fn forward_clock() -> u32 {
    let ticks = CLOCK.load(Ordering::Acquire);
    if ticks.is_null() {
        return 0;
    }
    // SAFETY: only `set_clock` stores into CLOCK, always a `fn() -> u32`.
    let ticks: fn() -> u32 = unsafe { core::mem::transmute::<*mut (), fn() -> u32>(ticks) };
    ticks()
}

/// Sends TFLM's debug log (`DebugLog`) to `sink`: semihosting on a device, stderr on a host.
pub fn set_debug_log(sink: fn(&str)) {
    DEBUG_LOG_SINK.store(sink as *mut (), Ordering::Release);
    // SAFETY: `forward_debug_log` is a valid callback for the program's whole life.
    unsafe { tflm_platform_set_debug_log(Some(forward_debug_log)) }
}

/// Gives TFLM a tick counter and its rate (used by its profiler).
pub fn set_clock(ticks: fn() -> u32, ticks_per_second: u32) {
    CLOCK.store(ticks as *mut (), Ordering::Release);
    // SAFETY: `forward_clock` is a valid callback for the program's whole life.
    unsafe { tflm_platform_set_clock(Some(forward_clock), ticks_per_second) }
}

/// A `static` aligned buffer handed out once as `&'static mut [u8]`: storage for models and
/// arenas on a device, where the stack is small and there is no allocator. Lives here
/// because it is raw memory given to the C library.
pub struct StaticBuffer<const N: usize> {
    taken: core::sync::atomic::AtomicBool,
    buffer: core::cell::UnsafeCell<crate::AlignedBuffer<N>>,
}

// SAFETY: the buffer is only reachable through `take`, which hands it out at most once
// (an atomic swap), so no two threads can ever reach it.
unsafe impl<const N: usize> Sync for StaticBuffer<N> {}

impl<const N: usize> StaticBuffer<N> {
    pub const fn new() -> Self {
        Self {
            taken: core::sync::atomic::AtomicBool::new(false),
            buffer: core::cell::UnsafeCell::new(crate::AlignedBuffer::new()),
        }
    }

    /// The buffer, the first time; `None` ever after.
    // A mutable borrow out of a shared one is the point: `taken` makes it unique.
    #[allow(clippy::mut_from_ref)]
    pub fn take(&'static self) -> Option<&'static mut [u8]> {
        if self.taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: the swap above returned false exactly once, so this is the only
        // reference ever made to the buffer, and the buffer lives in a static.
        Some(unsafe { &mut (*self.buffer.get()).0 })
    }
}

/// Declares `static NAME: StaticBuffer<BYTES>` in the `.arena` section: the board's largest
/// contiguous RAM (see //firmware/rt:link.x), where tensor arenas and frames belong.
///
/// ```ignore
/// tflm::arena_buffer!(ARENA, model::ARENA_BYTES);
/// let arena = ARENA.take().unwrap();
/// ```
#[macro_export]
macro_rules! arena_buffer {
    ($name:ident, $bytes:expr) => {
        // SAFETY: the runtime zeroes .arena at reset like .bss, and a new StaticBuffer is
        // all zeros, so the static starts with exactly its declared value there.
        #[unsafe(link_section = ".arena")]
        static $name: $crate::StaticBuffer<{ $bytes }> = $crate::StaticBuffer::new();
    };
}

impl<const N: usize> Default for StaticBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}
