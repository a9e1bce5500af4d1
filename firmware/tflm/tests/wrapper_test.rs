//! The wrapper on the host against real models: the 2020 person detector and sine model
//! from the tfmicro crate, and corrupted copies of them.
// tflm::Error carries TFLM's message inline (no allocator on the device).
#![allow(clippy::result_large_err)]

use std::path::Path;

use tflm::{ops, AlignedBuffer, ElementType, Interpreter, Model, Stage};

const MODELS: &str = "../tfmicro/examples/models";
// The 2020 person detector uses exactly these (its scores come out of the last pooling).
const PERSON_OPS: [tflm::Op; 3] = [ops::AVERAGE_POOL_2D, ops::CONV_2D, ops::DEPTHWISE_CONV_2D];
const ARENA_BYTES: usize = 256 * 1024;

/// A file's bytes at the start of a 16-byte aligned, heap-allocated buffer.
fn aligned_file(name: &str) -> (Box<AlignedBuffer<{ 512 * 1024 }>>, usize) {
    let bytes = std::fs::read(Path::new(MODELS).join(name)).unwrap();
    let mut buffer = Box::new(AlignedBuffer::new());
    buffer.0[..bytes.len()].copy_from_slice(&bytes);
    (buffer, bytes.len())
}

/// The person and no-person scores, and the arena bytes in use.
fn person_scores(image: &str, arena: &mut [u8]) -> Result<(u8, u8, usize), tflm::Error> {
    let (model_buffer, length) = aligned_file("person_detection_grayscale.tflite");
    let model = Model::new(&model_buffer.0[..length])?;
    let pixels = std::fs::read(Path::new(MODELS).join(image)).unwrap();
    let mut interpreter = Interpreter::new(&model, &PERSON_OPS, arena)?;
    interpreter
        .input_mut(0)?
        .as_u8_mut()?
        .copy_from_slice(&pixels);
    interpreter.invoke()?;
    let scores = interpreter.output(0)?.as_u8()?.to_vec();
    // The 2020 model's classes: unused, person, no person.
    Ok((scores[1], scores[2], interpreter.arena_used_bytes()))
}

#[test]
fn the_person_detector_tells_the_two_reference_images_apart() {
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let (person, no_person, _) =
        person_scores("person_image_data_grayscale.data", &mut arena.0).unwrap();
    assert!(
        person > no_person,
        "person image: person {person}, no person {no_person}"
    );
    let (person, no_person, _) =
        person_scores("no_person_image_data_grayscale.data", &mut arena.0).unwrap();
    assert!(
        no_person > person,
        "empty image: person {person}, no person {no_person}"
    );
}

#[test]
fn tensors_describe_shape_type_and_quantization() {
    let (model_buffer, length) = aligned_file("person_detection_grayscale.tflite");
    let model = Model::new(&model_buffer.0[..length]).unwrap();
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let interpreter = Interpreter::new(&model, &PERSON_OPS, &mut arena.0).unwrap();
    assert_eq!(
        (interpreter.input_count(), interpreter.output_count()),
        (1, 1)
    );
    let input = interpreter.input(0).unwrap();
    assert_eq!(input.shape(), &[1, 96, 96, 1]);
    assert_eq!(input.element_type(), ElementType::UInt8);
    assert_eq!(input.bytes().len(), 96 * 96);
    assert!(input.quantization().scale > 0.0);
    assert_eq!(interpreter.output(0).unwrap().shape(), &[1, 1, 1, 3]);
    let wrong_type = input.as_i8().unwrap_err();
    assert_eq!(wrong_type.stage(), Stage::Tensor);
    assert_eq!(interpreter.input(1).unwrap_err().stage(), Stage::Tensor);
    let operators: Vec<_> = model
        .operator_codes()
        .map(|code| code.builtin_code)
        .collect();
    assert_eq!(operators.len(), PERSON_OPS.len());
    assert!(PERSON_OPS
        .iter()
        .all(|op| operators.contains(&op.builtin_code())));
}

/// The exact arena is reported; one aligned block less fails with TFLM's own message.
fn check_exact_arena(name: &str, ops: &[tflm::Op]) -> usize {
    let (model_buffer, length) = aligned_file(name);
    let model = Model::new(&model_buffer.0[..length]).unwrap();
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let minimum = Interpreter::minimum_arena_bytes(&model, ops, &mut arena.0).unwrap();
    assert_eq!(minimum % tflm::ALIGNMENT, 0);
    let used = Interpreter::new(&model, ops, &mut arena.0[..minimum])
        .unwrap()
        .arena_used_bytes();
    assert!(
        used <= minimum,
        "{name}: {used} bytes stay in use of the {minimum}-byte minimum"
    );
    let short = Interpreter::new(&model, ops, &mut arena.0[..minimum - tflm::ALIGNMENT])
        .err()
        .unwrap();
    assert_eq!(short.stage(), Stage::Allocate);
    // TFLM's words differ with what ran out (activations, planner, persistent buffers).
    let message = short.message();
    assert!(!message.is_empty(), "{name}: TFLM's message is passed up");
    println!("{name}: minimum arena {minimum} B, {used} B in use after allocation; one block less: {message}");
    minimum
}

#[test]
fn the_reported_arena_size_is_exact() {
    let minimum = check_exact_arena("person_detection_grayscale.tflite", &PERSON_OPS);
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let full = person_scores("person_image_data_grayscale.data", &mut arena.0).unwrap();
    let exact = person_scores("person_image_data_grayscale.data", &mut arena.0[..minimum]).unwrap();
    assert_eq!(
        (exact.0, exact.1),
        (full.0, full.1),
        "the exact arena computes the same scores"
    );
    // The sine model's tensors are tiny: TFLM's planner needs more room than they occupy.
    check_exact_arena(
        "hello_world.tflite",
        &[ops::DEQUANTIZE, ops::FULLY_CONNECTED, ops::QUANTIZE],
    );
}

#[test]
fn a_missing_operator_is_named() {
    let (model_buffer, length) = aligned_file("person_detection_grayscale.tflite");
    let model = Model::new(&model_buffer.0[..length]).unwrap();
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let error = Interpreter::new(&model, &PERSON_OPS[..2], &mut arena.0)
        .err()
        .unwrap();
    assert_eq!(error.stage(), Stage::Allocate);
    assert!(error.message().contains("DEPTHWISE_CONV_2D"), "{error}");
}

#[test]
fn misaligned_truncated_and_foreign_buffers_are_refused() {
    let (model_buffer, length) = aligned_file("hello_world.tflite");
    let bytes = &model_buffer.0[..length];
    assert!(Model::new(bytes).is_ok());
    let mut shifted = Box::new(AlignedBuffer::<4096>::new());
    shifted.0[1..=length].copy_from_slice(bytes);
    let misaligned = Model::new(&shifted.0[1..=length]).err().unwrap();
    assert!(misaligned.message().contains("aligned"), "{misaligned}");
    for cut in [0, 1, 8, length / 2, length - 1] {
        let error = Model::new(&bytes[..cut]).err().unwrap();
        assert_eq!(error.stage(), Stage::Model, "cut at {cut}");
    }
    let text = AlignedBuffer::from_bytes(b"this is not a flatbuffer at all!");
    assert!(Model::new(&text.0)
        .err()
        .unwrap()
        .message()
        .contains("not a valid TFLite model"));
}

#[test]
fn the_op_table_matches_the_library() {
    let listed = std::fs::read_to_string("third_party/tflm/ops.txt").unwrap();
    let expected: Vec<String> = listed.lines().map(str::to_owned).collect();
    let actual: Vec<String> = ops::ALL
        .iter()
        .map(|op| format!("{} {} {}", op.name(), op.versions().0, op.versions().1))
        .collect();
    assert_eq!(actual, expected);
    assert_eq!(ops::find(3).map(|op| op.name()), Some("CONV_2D"));
    assert!(
        ops::find(117).is_none(),
        "HARD_SWISH is not in the 2020 library"
    );
}

/// xorshift64*: a fixed-seed generator, so every run mutates the same way.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// One of: flip bits, overwrite bytes, truncate, write a large integer somewhere.
    fn mutate(&mut self, original: &[u8], out: &mut [u8]) -> usize {
        out[..original.len()].copy_from_slice(original);
        let mut length = original.len();
        for _ in 0..1 + self.below(4) {
            match self.below(4) {
                0 => out[self.below(length)] ^= 1 << self.below(8),
                1 => out[self.below(length)] = self.next() as u8,
                2 => length = 1 + self.below(length),
                _ => {
                    let at = self.below(length.saturating_sub(4).max(1));
                    let value =
                        [0xffff_ffffu32, 0x7fff_ffff, 0x8000_0000, 0x0001_0000][self.below(4)];
                    let end = (at + 4).min(length);
                    out[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
                }
            }
        }
        length
    }
}

#[test]
fn mutated_models_fail_with_a_message_and_never_crash() {
    let mut arena = Box::new(AlignedBuffer::<ARENA_BYTES>::new());
    let mut mutated = Box::new(AlignedBuffer::<{ 512 * 1024 }>::new());
    let mut mutator = Mutator(0x7f4a_7c15_9e37_79b9);
    let mut outcomes = [0usize; 4]; // refused as a model, refused at allocation, failed to run, ran
    for (name, count) in [
        ("hello_world.tflite", 3000),
        ("person_detection_grayscale.tflite", 300),
    ] {
        let (original, length) = aligned_file(name);
        for _ in 0..count {
            let mutated_length = mutator.mutate(&original.0[..length], &mut mutated.0);
            let outcome = match Model::new(&mutated.0[..mutated_length]) {
                Err(error) => {
                    assert!(!error.message().is_empty());
                    0
                }
                Ok(model) => match Interpreter::new(&model, ops::ALL, &mut arena.0) {
                    Err(error) => {
                        assert!(!error.message().is_empty());
                        1
                    }
                    Ok(mut interpreter) => match interpreter.invoke() {
                        Err(error) => {
                            assert!(!error.message().is_empty());
                            2
                        }
                        Ok(()) => 3,
                    },
                },
            };
            outcomes[outcome] += 1;
        }
    }
    println!("mutated models: {outcomes:?} (refused as model, at allocation, at invoke, ran)");
    assert!(
        outcomes[0] > 0 && outcomes[3] > 0,
        "both refusals and harmless mutations occur: {outcomes:?}"
    );
}
